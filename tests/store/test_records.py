"""TrialRecord and the status constants."""
import pytest

from symsearch.store import FINISHED_STATUSES, STATUSES, TrialRecord
from symsearch.store.records import check_status


def test_record_is_a_slotted_plain_dataclass():
    record = TrialRecord(id=3, dna=[1, "a"])
    assert record.status == "running" and record.reports == []
    with pytest.raises(AttributeError):
        record.extra = 1


def test_duration_and_is_finished():
    record = TrialRecord(id=0, dna=[], status="done", started_at=1.0, finished_at=3.5)
    assert record.duration == 2.5 and record.is_finished
    assert TrialRecord(id=1, dna=[]).duration is None


def test_copy_does_not_share_lists_or_dicts():
    record = TrialRecord(id=0, dna=[1], metrics={"x": 1},
                         reports=[{"step": 0, "metrics": {"x": 0}, "time": 0.0}])
    copy = record.copy()
    copy.dna.append(2)
    copy.metrics["x"] = 2
    copy.reports.append({})
    assert record.to_dict() == TrialRecord(
        id=0, dna=[1], metrics={"x": 1},
        reports=[{"step": 0, "metrics": {"x": 0}, "time": 0.0}]).to_dict()


def test_statuses():
    assert STATUSES == ("running", "done", "failed", "cached", "pruned")
    assert "running" not in FINISHED_STATUSES
    with pytest.raises(ValueError, match="status='ok'.*'running', 'done'"):
        check_status("ok")
