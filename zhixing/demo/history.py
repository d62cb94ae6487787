"""A demo case's history as it is generated: node records and the hash-chained execution log,
appended in time order exactly as the services write them (zhixing.cases.log.new_entry)."""

from __future__ import annotations

import datetime as dt

from zhixing.accounts.models import User
from zhixing.cases.choices import STAGE_ORDER, LogAction, Stage
from zhixing.cases.log import GENESIS, compute_hash
from zhixing.cases.rules import NODES_BY_CODE


class History:
    """Appends a case's node records and hash-chained log entries in time order."""

    def __init__(self, generator, case_id: int, court_id: int, chunk):
        self.generator = generator
        self.case_id = case_id
        self.court_id = court_id
        self.chunk = chunk
        self.stage = Stage.QUERY
        self.seq = 0
        self.prev_hash = GENESIS
        self.at: dt.datetime | None = None

    def add(self, day: dt.date, actor: User, action: str, node_code: str, summary: str, *, before=None, after=None,
            reason: str = "", at: dt.datetime | None = None) -> dt.datetime:
        """One event: its node record and its log entry, hashed exactly as log.new_entry hashes it."""
        at = self.log(day, actor, action, summary, node_code=node_code, before=before, after=after, reason=reason, at=at)
        self.chunk.nodes.append((self.court_id, self.case_id, node_code, day, at, actor.pk, reason[:500]))
        return at

    def log(self, day: dt.date, actor: User, action: str, summary: str, *, node_code: str = "", before=None, after=None,
            reason: str = "", at: dt.datetime | None = None) -> dt.datetime:
        """A log entry alone (case money's fee and approvals have no node)."""
        self.at = at = at or self.generator._stamp(day, self.at)
        self.seq += 1
        actor_name = actor.display_name
        entry_hash = compute_hash(case_id=self.case_id, seq=self.seq, at=at, actor_id=actor.pk, actor_name=actor_name,
                                  action=action, node_code=node_code, summary=summary, before=before, after=after,
                                  reason=reason, prev_hash=self.prev_hash)
        self.chunk.logs.append((self.court_id, self.case_id, self.seq, at, actor.pk, actor_name, action, node_code,
                                summary, before, after, reason, self.prev_hash, entry_hash))
        self.prev_hash = entry_hash
        return at

    def advance(self, code: str) -> str:
        """Move into the node's stage (never back); returns the stage before."""
        node, before = NODES_BY_CODE[code], self.stage
        if node.stage and STAGE_ORDER[Stage(node.stage)] > STAGE_ORDER[Stage(self.stage)]:
            self.stage = node.stage
        return before

    def money(self, day: dt.date, actor: User, action: str, code: str, summary: str, **entry) -> dt.datetime:
        """A money node with the entry its service writes (see casemoney)."""
        self.advance(code)
        return self.add(day, actor, action, code, summary, **entry)

    def node(self, day: dt.date, actor: User, code: str, note: str) -> None:
        before = self.advance(code)
        self.add(day, actor, LogAction.NODE, code, f"{NODES_BY_CODE[code].name}（{day:%Y-%m-%d}）", before={"stage": before},
                 after={"stage": self.stage, "occurred_on": day.isoformat(), "note": note}, reason=note)
