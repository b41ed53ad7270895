"""The producer's record batches are checksummed by compiled code, with the checksum
Kafka expects (CRC-32C over the batch from its attributes on)."""

from aiokafka.record._crecords import crc32c_cython
from kafka.record import default_records
from kafka.record._crc32c import crc as pure_python_crc32c
from kafka.record.default_records import DefaultRecordBatch, DefaultRecordBatchBuilder

from shared.kafka.producer import use_compiled_crc32c


def _batch_of(records: int) -> bytes:
    builder = DefaultRecordBatchBuilder(
        magic=2,
        compression_type=0,
        is_transactional=False,
        producer_id=-1,
        producer_epoch=-1,
        base_sequence=-1,
        batch_size=1 << 20,
    )
    for offset in range(records):
        builder.append(
            offset, timestamp=1_000 + offset, key=b"p-%06d" % offset, value=b"x" * 700, headers=[]
        )
    return bytes(builder.build())


def test_record_batches_are_checksummed_by_compiled_code() -> None:
    assert use_compiled_crc32c()
    assert default_records.calc_crc32c is crc32c_cython


def test_a_built_batch_carries_the_checksum_kafka_expects() -> None:
    batch = _batch_of(50)
    expected = pure_python_crc32c(memoryview(batch)[DefaultRecordBatch.ATTRIBUTES_OFFSET :])
    assert DefaultRecordBatch(batch).crc == expected
    assert DefaultRecordBatch(batch).validate_crc()
