"""The netting engine (抵销): which set-offs are possible among money obligations, in exact fen.

Pure Python, no Django: the services load the obligations from the cases, the benchmark and the
property tests feed it directly.

An obligation is "debtor owes creditor amount_fen". Two kinds of set-off, both of which reduce
existing obligations only — nobody is ever made to pay someone they did not owe:

- **Bilateral** (互负债务的抵销): for each pair of parties owing each other, min(Σ A→B, Σ B→A) is set
  off on both sides, allocated over each side's obligations in their order (oldest filing first).
- **Multilateral** (多方/循环抵销: A owes B, B owes C, C owes A): only among parties who consented,
  by cancelling cycles of what is left after the bilateral step; every party of a cycle must be in
  `consenting`.

Only obligations with their legal basis take part (`has_basis`: the claim is confirmed by an
effective legal document, or its debtor accepted it — 异议复议规定第19条); the others still count in
the parties' positions but are never reduced. Each set-off takes the same amount off what a party
owes and what it is owed, so nobody's net position changes.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from typing import NamedTuple


class Obligation(NamedTuple):
    # A named tuple, not a dataclass: a bundle makes 100,000 of them and a tuple is made several times faster.
    id: Hashable
    debtor: str
    creditor: str
    amount_fen: int
    order: tuple = ()  # allocation order within a pair: oldest filing first
    has_basis: bool = True


@dataclass(frozen=True, slots=True)
class Position:
    """One party: what it is owed and what it owes, before and after the set-offs."""

    party: str
    owed_before_fen: int
    owes_before_fen: int
    owed_after_fen: int
    owes_after_fen: int

    @property
    def net_before_fen(self) -> int:
        return self.owed_before_fen - self.owes_before_fen

    @property
    def net_after_fen(self) -> int:
        return self.owed_after_fen - self.owes_after_fen


@dataclass(frozen=True, slots=True)
class Cycle:
    """parties[0] owes parties[1] … owes parties[-1], who owes parties[0]; each link reduced by amount."""

    parties: tuple[str, ...]
    amount_fen: int

    @property
    def links(self) -> list[tuple[str, str]]:
        ring = self.parties
        return [(ring[i], ring[(i + 1) % len(ring)]) for i in range(len(ring))]


@dataclass(frozen=True, slots=True)
class Residual:
    """What the debtor still has to pay the creditor after the set-offs (over all their obligations)."""

    debtor: str
    creditor: str
    amount_fen: int
    obligation_ids: tuple


class Result:
    """What `propose` found. Positions and residual payments are worked out when first asked for (a
    caller that only stores the set-offs does not pay for them)."""

    def __init__(self, obligations: list[Obligation], set_off: list[int], multilateral: list[int],
                 bilateral: list[tuple[str, str, int]], cycles: list[Cycle], parties: list[str]):
        ids = [o.id for o in obligations]
        self.set_off_fen: dict = dict(zip(ids, set_off, strict=True))  # obligation id → amount set off
        self.multilateral_fen: dict = {ids[i]: fen for i, fen in enumerate(multilateral) if fen}  # its part in cycles
        self.bilateral = bilateral  # (a, b, amount) with a < b: set off on both sides
        self.cycles = cycles
        self._obligations, self._set_off, self._parties = obligations, set_off, parties
        self._positions: dict[str, Position] | None = None
        self._residuals: list[Residual] | None = None

    @property
    def total_set_off_fen(self) -> int:
        return sum(self._set_off)

    @property
    def total_left_fen(self) -> int:
        return sum(o.amount_fen for o in self._obligations) - self.total_set_off_fen

    @property
    def cycle_parties(self) -> set[str]:
        return {party for cycle in self.cycles for party in cycle.parties}

    @property
    def positions(self) -> dict[str, Position]:
        if self._positions is None:
            self._positions = _positions(self._obligations, self._set_off, self._parties)
        return self._positions

    @property
    def residuals(self) -> list[Residual]:
        if self._residuals is None:
            self._residuals = _residuals(self._obligations, self._set_off, self._parties)
        return self._residuals


# Parties are numbered in key order, and a directed pair (debtor, creditor) is one integer: debtor << 32 | creditor.
# Integers and lists instead of tuples of strings and dicts: 100,000 obligations in about a second.
_SHIFT = 32
_MASK = (1 << _SHIFT) - 1


def propose(obligations: Iterable[Obligation], *, consenting: Iterable[str] = (), max_cycle: int | None = None) -> Result:
    """The set-offs that are legally possible among `obligations`: every bilateral one, then cycles
    among the `consenting` parties, of at most `max_cycle` parties (None: any length). Deterministic:
    the same obligations in any order give the same result."""
    obligations = list(obligations)
    _check(obligations)
    consenting = frozenset(consenting)
    # Tuple unpacking rather than attribute access in the loops over every obligation: measurably faster.
    parties = sorted({o[1] for o in obligations} | {o[2] for o in obligations})
    number = {party: i for i, party in enumerate(parties)}
    amounts = [o[3] for o in obligations]
    set_off = [0] * len(obligations)
    multilateral = [0] * len(obligations)
    by_pair: dict[int, list[int]] = {}
    for i, (_, debtor, creditor, amount, _, has_basis) in enumerate(obligations):
        if has_basis and amount > 0:
            pair = number[debtor] << _SHIFT | number[creditor]
            group = by_pair.get(pair)
            if group is None:
                by_pair[pair] = [i]
            else:
                group.append(i)
    for group in by_pair.values():
        if len(group) > 1:
            group.sort(key=lambda i: _allocation_key(obligations[i]))

    bilateral = []
    # Each pair owing both ways once, from its smaller side, in order.
    mutual = sorted(pair for pair in by_pair
                    if pair >> _SHIFT < pair & _MASK and ((pair & _MASK) << _SHIFT | pair >> _SHIFT) in by_pair)
    for pair in mutual:
        debtor, creditor = pair >> _SHIFT, pair & _MASK
        backward = by_pair[creditor << _SHIFT | debtor]
        forward = by_pair[pair]
        amount = min(sum(amounts[i] for i in forward), sum(amounts[i] for i in backward))
        _allocate(forward, amount, amounts, set_off)
        _allocate(backward, amount, amounts, set_off)
        bilateral.append((parties[debtor], parties[creditor], amount))

    cycles: list[Cycle] = []
    if len(consenting) >= 3:  # a cycle needs three parties; two are the bilateral case
        member = [party in consenting for party in parties]
        left = {}
        for pair, group in by_pair.items():
            if member[pair >> _SHIFT] and member[pair & _MASK]:
                if len(group) == 1:
                    rest = amounts[group[0]] - set_off[group[0]]
                else:
                    rest = sum(amounts[i] - set_off[i] for i in group)
                if rest:
                    left[pair] = rest
        cut, rings = _cancel(len(parties), left, max_cycle)
        for pair in sorted(cut):
            _allocate(by_pair[pair], cut[pair], amounts, set_off, multilateral)
        name = parties.__getitem__
        cycles = [Cycle(tuple(map(name, ring)), amount) for ring, amount in rings]
    return Result(obligations, set_off, multilateral, bilateral, cycles, parties)


def positions(obligations: Iterable[Obligation], set_off: dict) -> dict[str, Position]:
    """Each party's position before and after; `set_off` maps obligation ids to amounts (missing: 0)."""
    obligations = list(obligations)
    parties = sorted({o.debtor for o in obligations} | {o.creditor for o in obligations})
    return _positions(obligations, [set_off.get(o.id, 0) for o in obligations], parties)


def residuals(obligations: Iterable[Obligation], set_off: dict) -> list[Residual]:
    """What is still to be paid, per debtor and creditor, after the set-offs."""
    obligations = list(obligations)
    parties = sorted({o.debtor for o in obligations} | {o.creditor for o in obligations})
    return _residuals(obligations, [set_off.get(o.id, 0) for o in obligations], parties)


def _positions(obligations: list[Obligation], set_off: list[int], parties: list[str]) -> dict[str, Position]:
    number = {party: i for i, party in enumerate(parties)}
    n = len(parties)
    owed_before, owes_before, owed_after, owes_after = [0] * n, [0] * n, [0] * n, [0] * n
    for o, taken in zip(obligations, set_off, strict=True):
        debtor, creditor = number[o.debtor], number[o.creditor]
        owed_before[creditor] += o.amount_fen
        owes_before[debtor] += o.amount_fen
        owed_after[creditor] += o.amount_fen - taken
        owes_after[debtor] += o.amount_fen - taken
    return {p: Position(p, owed_before[i], owes_before[i], owed_after[i], owes_after[i]) for i, p in enumerate(parties)}


def _residuals(obligations: list[Obligation], set_off: list[int], parties: list[str]) -> list[Residual]:
    number = {party: i for i, party in enumerate(parties)}
    left: dict[int, int] = {}
    ids: dict[int, list] = {}
    for o, taken in zip(obligations, set_off, strict=True):
        rest = o.amount_fen - taken
        if rest:
            pair = number[o.debtor] << _SHIFT | number[o.creditor]
            if pair in left:
                left[pair] += rest
                ids[pair].append(o.id)
            else:
                left[pair] = rest
                ids[pair] = [o.id]
    return [Residual(parties[pair >> _SHIFT], parties[pair & _MASK], left[pair], tuple(ids[pair])) for pair in sorted(left)]


def cancel_cycles(links: dict[tuple[str, str], int], max_cycle: int | None = None
                  ) -> tuple[dict[tuple[str, str], int], list[Cycle]]:
    """Cancel cycles in a directed graph of positive amounts; returns the amount taken off each link
    and the cycles (parties named as in `links`). With `max_cycle` None, until no cycle is left."""
    parties = sorted({p for link in links for p in link})
    number = {party: i for i, party in enumerate(parties)}
    cut, rings = _cancel(len(parties), {number[d] << _SHIFT | number[c]: amount for (d, c), amount in links.items()},
                         max_cycle)
    return ({(parties[pair >> _SHIFT], parties[pair & _MASK]): amount for pair, amount in cut.items()},
            [Cycle(tuple(parties[p] for p in ring), amount) for ring, amount in rings])


def _cancel(n: int, links: dict[int, int], max_cycle: int | None = None) -> tuple[dict[int, int], list[tuple[list[int], int]]]:
    """Cycle cancellation on numbered parties: each cancellation takes a cycle's smallest link to zero.

    One depth-first walk with a stack that is unwound only to the tail of the first link a
    cancellation emptied; a node all of whose links are empty or lead to finished nodes is finished
    for good (amounts only ever go down). So the work is the links plus the cycles' lengths, not a
    fresh search per cycle. Each stack node's pointer is the link it left by, so a cycle's links are
    read off the stack.

    With `max_cycle`, a link closing a longer cycle is passed over for good: only rings of at most
    that many parties are cancelled, the walk stays linear, and some short rings reachable only
    through a passed-over link may be left (the result is then not maximal, only correct)."""
    targets: list[list[int]] = [[] for _ in range(n)]
    amounts: list[list[int]] = [[] for _ in range(n)]
    for pair in sorted(links):
        targets[pair >> _SHIFT].append(pair & _MASK)
        amounts[pair >> _SHIFT].append(links[pair])
    taken: list[list[int]] = [[0] * len(row) for row in amounts]
    rings: list[tuple[list[int], int]] = []
    UNVISITED, ON_STACK, FINISHED = 0, 1, 2
    state = bytearray(n)
    where = [0] * n  # a node's index on the stack
    pointer = [0] * n  # its first link not yet known to be useless (on the stack: the link it left by)

    for root in range(n):
        if state[root] or not targets[root]:
            continue
        stack = [root]
        state[root], where[root] = ON_STACK, 0
        while stack:
            node = stack[-1]
            out, weight = targets[node], amounts[node]
            i = pointer[node]
            moved = False
            while i < len(out):
                target = out[i]
                if weight[i] == 0 or state[target] == FINISHED:
                    i += 1
                    continue
                if state[target] == ON_STACK and max_cycle and len(stack) - where[target] > max_cycle:
                    i += 1
                    continue
                pointer[node] = i
                if state[target] == ON_STACK:
                    start = where[target]
                    ring = stack[start:]
                    amount = min(amounts[s][pointer[s]] for s in ring)
                    first_empty = -1
                    for j, s in enumerate(ring):
                        k = pointer[s]
                        amounts[s][k] -= amount
                        taken[s][k] += amount
                        if first_empty < 0 and amounts[s][k] == 0:
                            first_empty = j
                    rings.append((ring, amount))
                    # Back to the tail of the first emptied link: the nodes above it are unvisited again
                    # (their pointers are kept: what they skipped stays useless).
                    for popped in stack[start + first_empty + 1:]:
                        state[popped] = UNVISITED
                    del stack[start + first_empty + 1:]
                else:
                    state[target], where[target] = ON_STACK, len(stack)
                    stack.append(target)
                moved = True
                break
            if not moved:
                pointer[node] = i
                state[node] = FINISHED
                stack.pop()
    cut = {node << _SHIFT | targets[node][k]: amount
           for node in range(n) for k, amount in enumerate(taken[node]) if amount}
    return cut, rings


def _allocation_key(o: Obligation) -> tuple:
    return (o.order, str(o.id))


def _allocate(items: list[int], amount: int, amounts: list[int], set_off: list[int], part: list[int] | None = None) -> None:
    """Take `amount` off the items in their order, each down to zero before the next."""
    for i in items:
        if amount == 0:
            break
        take = min(amounts[i] - set_off[i], amount)
        if take > 0:
            set_off[i] += take
            amount -= take
            if part is not None:
                part[i] += take
    if amount:
        raise AssertionError("set-off larger than the obligations it is taken from")


def _check(obligations: list[Obligation]) -> None:
    if len({o[0] for o in obligations}) != len(obligations):
        seen = set()
        twice = next(o.id for o in obligations if o.id in seen or seen.add(o.id))
        raise ValueError(f"obligation {twice!r} given twice")
    for o in obligations:
        if type(o[3]) is not int or o[3] < 0:  # bool, float, Decimal: not whole fen
            raise ValueError(f"obligation {o.id!r}: amount must be whole fen ≥ 0, not {o.amount_fen!r}")
        if o[1] == o[2]:
            raise ValueError(f"obligation {o.id!r}: a party cannot owe itself")
