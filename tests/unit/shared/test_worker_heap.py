import gc

from shared.worker import freeze_startup_heap


def test_objects_alive_at_start_up_are_left_out_of_later_collections() -> None:
    long_lived = [object() for _ in range(10)]
    try:
        freeze_startup_heap()
        assert gc.get_freeze_count() >= len(long_lived)
    finally:
        gc.unfreeze()
