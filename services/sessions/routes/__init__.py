"""The sessions API routers: they translate HTTP to one service-layer call each."""
