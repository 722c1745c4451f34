"""The export's checksum: independent of order, sensitive to any id or payload change."""

from core.vectors._dump import Checksum

POINTS = [("a", {"text": "one", "n": 1}), (7, {"text": "two"}), ("c", {})]


def _checksum(points: list[tuple[str | int, dict[str, object]]]) -> str:
    checksum = Checksum()
    for point_id, payload in points:
        checksum.add(point_id, payload)
    return checksum.hexdigest()


def test_checksum_ignores_order_of_points_and_keys() -> None:
    reordered = [(7, {"text": "two"}), ("c", {}), ("a", {"n": 1, "text": "one"})]
    assert _checksum(POINTS) == _checksum(reordered)


def test_checksum_changes_with_ids_payloads_and_duplicates() -> None:
    assert _checksum(POINTS) != _checksum([("b", POINTS[0][1]), *POINTS[1:]])
    assert _checksum(POINTS) != _checksum([("a", {"text": "one", "n": 1.5}), *POINTS[1:]])
    assert _checksum(POINTS) != _checksum([*POINTS, POINTS[0]])
    assert _checksum(POINTS) != _checksum(
        [("7", {"text": "two"}) if p[0] == 7 else p for p in POINTS]
    )
