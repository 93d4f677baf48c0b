"""The suite's own xdist grouping (tests/conftest.py): tests sharing an expensive module or session fixture
carry one ``xdist_group``, and under ``-n N --dist loadgroup`` (as `make test` runs) their node ids end in
``@group``, the suffix xdist's controller schedules by (pytest-xdist's LoadGroupScheduling._split_scope).
Without the suffix the groups were split over the workers and each shared build ran twice."""
from __future__ import annotations

import pytest

GROUP = "tests/test_suite_grouping.py::shared"


@pytest.fixture(scope="module")
def shared() -> list:
    return []


@pytest.mark.parametrize("turn", [1, 2])
def test_tests_sharing_a_module_fixture_are_one_xdist_group(turn, shared, request):
    assert request.node.get_closest_marker("xdist_group").args == (GROUP,)
    if getattr(request.config.option, "loadgroup", False):  # on an xdist worker of --dist loadgroup
        assert request.node.nodeid.endswith(f"@{GROUP}")
