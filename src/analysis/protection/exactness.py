"""What the shown cells and the public sums still tell about the hidden ones.

Two questions, asked by the suppression pass while it works and by the audit of a finished table:

- **exactness**: which hidden counts follow exactly from the shown cells and the public sums
  (:class:`Sums`, by the null space of the sums over the hidden cells);
- **protection intervals**: the range a hidden count can still take when counts are never negative
  (:func:`protection_intervals`, one linear programme per bound), which must stay as wide as its
  marker states (:func:`required_width`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
import os
import sys
from typing import Any

import numpy as np
from scipy.linalg import null_space

from analysis.protection.declarations import Cell

__all__ = ["Programme", "Sums", "protection_intervals", "required_width", "sums_of_cells"]


def sums_of_cells(constraints: list[list[Cell]]) -> dict[Cell, list[int]]:
    """The public sums each cell is in, by position in `constraints` (each sum once)."""
    member: dict[Cell, list[int]] = {}
    for r, con in enumerate(constraints):
        for c in con:
            sums = member.setdefault(c, [])
            if not sums or sums[-1] != r:
                sums.append(r)
    return member


class Sums:
    """The public sums of one table, indexed once: which sums each cell is in, and their 0/1 matrix
    over every cell (columns in sorted cell order), so that each round of secondary suppression
    selects columns instead of rebuilding the system cell by cell."""

    def __init__(self, constraints: list[list[Cell]]):
        self.constraints = constraints
        self._solved: dict[bytes, list[int]] = {}
        self.cells = sorted({c for con in constraints for c in con})
        index = {c: j for j, c in enumerate(self.cells)}
        self.incidence = np.zeros((len(constraints), len(self.cells)))
        for r, con in enumerate(constraints):
            for c in con:
                self.incidence[r, index[c]] = 1.0
        self.member = sums_of_cells(constraints)

    def determined(self, hidden: set[Cell]) -> list[Cell]:
        """Hidden cells whose value follows exactly from the public sums and the shown cells (in order).

        A hidden cell is determined when every vector of the null space of the sums (over the hidden
        cells) is 0 in it. The sums fall apart into groups that share no hidden cell; the null space
        of such a block-diagonal matrix is that of its blocks, so each group is solved on its own, and
        a group that did not change since the last round (secondary suppression hides one cell at a
        time) is not solved again.
        """
        from scipy.sparse import csr_matrix
        from scipy.sparse.csgraph import connected_components

        columns = np.array([j for j, c in enumerate(self.cells) if c in hidden], dtype=np.intp)
        if not len(columns):
            return []
        a = self.incidence[:, columns]
        a = a[a.any(axis=1)]
        # the graph of sums and hidden cells (a sum is linked to each of its cells)
        sums, cells = np.nonzero(a)
        size = len(a) + len(columns)
        graph = csr_matrix((np.ones(len(sums)), (sums, len(a) + cells)), shape=(size, size))
        _, labels = connected_components(graph, directed=False)
        labels = labels[len(a):]  # the groups of the hidden cells (each sum is in the group of its cells)
        determined: list[int] = []
        for label in np.unique(labels):
            part = np.flatnonzero(labels == label)
            key = columns[part].tobytes()
            if key not in self._solved:
                block = a[:, part]
                basis = null_space(block[block.any(axis=1)])
                fixed = part if basis.size == 0 else part[np.linalg.norm(basis, axis=1) <= 1e-9]
                self._solved[key] = columns[fixed].tolist()
            determined += self._solved[key]
        return [self.cells[j] for j in sorted(determined)]


def required_width(k: int, zeros_hidden: bool) -> int:
    """How wide the range of a hidden small count must stay: as wide as what its marker says.

    "[c]" already tells that a count lies in 1..k-1 (0..k-1 when zeros are hidden too); the
    published tables together must not narrow it further, and never pin it (width 0).
    """
    return max(1, k - 1 if zeros_hidden else k - 2)


#: Bounds already found, by linear programme (matrix, right-hand side, cell, direction): the rules
#: solve the same small programme again and again (a table and the tables derived from it).
_BOUNDS: dict[tuple[Any, ...], float] = {}
_BOUNDS_LIMIT = 4096
#: Whether this process has made its first HiGHS solver (:func:`_highs`).
_BANNER_SHOWN = False


class Programme:
    """The linear programme of a system A x = b, x >= 0 (A dense or scipy sparse): the least and the
    greatest value of any sum of its unknowns.

    One HiGHS model (highspy, the solver behind scipy's ``linprog(method="highs")``) is built per system
    and only its objective changes from sum to sum: the systems here are small, and scipy's wrapper costs
    several times the solve itself (tests/test_exactness_solver.py compares with ``linprog``)."""

    def __init__(self, a_eq: Any, b_eq: np.ndarray):
        import scipy.sparse

        matrix = scipy.sparse.csr_matrix(a_eq)
        self.size = matrix.shape[1]
        self.solver = _highs()
        self.solver.setOptionValue("output_flag", False)
        self.solver.setOptionValue("presolve", "off")  # no "unbounded or infeasible" from presolve
        import highspy

        self.solver.addVars(self.size, np.zeros(self.size), np.full(self.size, highspy.kHighsInf))
        b_eq = np.asarray(b_eq, dtype=float)
        self.solver.addRows(len(b_eq), b_eq, b_eq, matrix.nnz, matrix.indptr[:-1].astype(np.int32),
                            matrix.indices.astype(np.int32), matrix.data.astype(float))
        self.everything = np.arange(self.size, dtype=np.int32)

    def least(self, objective: np.ndarray) -> float:
        """The least value of ``objective @ x``."""
        return self._solve(np.asarray(objective, dtype=float), 1.0)

    def greatest(self, objective: np.ndarray) -> float:
        """The greatest value of ``objective @ x`` (inf where unbounded)."""
        return self._solve(np.asarray(objective, dtype=float), -1.0)

    def _solve(self, objective: np.ndarray, sign: float) -> float:
        import highspy

        self.solver.changeColsCost(self.size, self.everything, sign * objective)
        self.solver.run()
        status = self.solver.getModelStatus()
        if status == highspy.HighsModelStatus.kUnbounded:
            return np.inf if sign < 0 else 0.0
        if status != highspy.HighsModelStatus.kOptimal:
            raise ArithmeticError("the protection interval's linear programme ended with "
                                  f"{self.solver.modelStatusToString(status)}")
        return sign * self.solver.getInfo().objective_function_value


def _bounds(a_eq: np.ndarray, b_eq: np.ndarray, columns: Sequence[int]) -> dict[int, tuple[float, float]]:
    """The least and the greatest value of each unknown of `columns` with A x = b, x >= 0 (the greatest
    is inf where unbounded), each solved once (:class:`Programme`) and kept."""
    out, todo = {}, []
    for j in columns:
        key = (a_eq.shape, a_eq.tobytes(), b_eq.tobytes(), j)
        if key in _BOUNDS:
            out[j] = _BOUNDS[key]
        else:
            todo.append((j, key))
    if not todo:
        return out
    programme = Programme(a_eq, b_eq)
    for j, key in todo:
        unit = np.zeros(programme.size)
        unit[j] = 1.0
        if len(_BOUNDS) >= _BOUNDS_LIMIT:
            _BOUNDS.clear()
        _BOUNDS[key] = out[j] = (programme.least(unit), programme.greatest(unit))
    return out


def _highs() -> Any:
    """A new HiGHS solver. The first one a process makes prints HiGHS's banner on the C level's standard
    output, where a notebook would capture it into the report: it is made with that output sent nowhere."""
    import highspy

    global _BANNER_SHOWN
    if _BANNER_SHOWN:
        return highspy.Highs()
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as nowhere:
            os.dup2(nowhere.fileno(), 1)
            solver = highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)
    _BANNER_SHOWN = True
    return solver


def protection_intervals(constraints: list[list[Cell]], values: dict[Cell, float], hidden: set[Cell],
                         targets: Sequence[Cell] | None = None, member: Mapping[Cell, Sequence[int]] | None = None,
                         connected: bool | None = None) -> dict[Cell, tuple[float, float]]:
    """The range each hidden cell (of `targets`, default all) can take given the shown cells, the
    public sums and x >= 0.

    One linear programme per bound (scipy's HiGHS); a cell in no public sum is unbounded above. For a
    single target only the public sums connected to it (through hidden cells) are solved over, unless
    `connected` is False; `member` (:func:`sums_of_cells`) saves the search for them.
    """
    if connected is None:
        connected = targets is not None and len(targets) == 1
    if connected:
        constraints = _connected_sums(constraints, targets[0], hidden,
                                      member if member is not None else sums_of_cells(constraints))
    unknown = sorted({c for con in constraints for c in con if c in hidden})
    if not unknown:
        return {t: (0.0, np.inf) for t in (targets or [])}
    pos = {c: j for j, c in enumerate(unknown)}
    rows, rhs = [], []
    for con in constraints:
        row = np.zeros(len(unknown))
        total = sum(values[c] for c in con)
        for c in con:
            if c in pos:
                row[pos[c]] = 1.0
        if row.any():
            rows.append(row)
            rhs.append(total - sum(values[c] for c in con if c not in pos))
    a_eq, b_eq = np.array(rows), np.array(rhs)
    chosen = None if targets is None else set(targets)
    wanted = {cell: j for cell, j in pos.items() if chosen is None or cell in chosen}
    bounds = _bounds(a_eq, b_eq, list(wanted.values()))
    return {cell: bounds[j] for cell, j in wanted.items()}


def _connected_sums(constraints: list[list[Cell]], target: Cell, hidden: set[Cell],
                    member: Mapping[Cell, Sequence[int]]) -> list[list[Cell]]:
    """The public sums connected to `target` through hidden cells (only they bound it); a sum equal to
    one already taken adds nothing and is left out."""
    component, frontier, used, seen = {target}, [target], [], set()
    while frontier:
        cell = frontier.pop()
        for r in member.get(cell, ()):
            con = constraints[r]
            key = tuple(con)
            if key not in seen:
                seen.add(key)
                used.append(con)
                for other in con:
                    if other in hidden and other not in component:
                        component.add(other)
                        frontier.append(other)
    return used
