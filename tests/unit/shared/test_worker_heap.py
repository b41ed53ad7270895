import gc

from shared.worker import GC_THRESHOLDS, freeze_startup_heap


def test_objects_alive_at_start_up_are_left_out_of_later_collections() -> None:
    long_lived = [object() for _ in range(10)]
    try:
        freeze_startup_heap()
        assert gc.get_freeze_count() >= len(long_lived)
    finally:
        gc.unfreeze()


def test_a_worker_collects_after_tens_of_thousands_of_allocations_not_hundreds() -> None:
    """A batch's short-lived objects are freed by reference counting; collecting every
    700 allocations cost a busy consumer a quarter of its time."""
    before = gc.get_threshold()
    try:
        freeze_startup_heap()
        assert gc.get_threshold() == GC_THRESHOLDS
        assert GC_THRESHOLDS[0] >= 10_000
    finally:
        gc.set_threshold(*before)
        gc.unfreeze()
