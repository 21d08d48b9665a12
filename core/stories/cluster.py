"""The incremental story clusterer: pure, in memory, over a sliding time window.

Each new article either joins the story whose members it resembles on average
(average link: the mean cosine to every member, which is the dot product with the sum
of the members' unit vectors) *and* one of whose members is close on its own (a
"sibling"), or it starts a new story. When an article is close to a second story too
(with a sibling there as well) and the two stories' mean link is high enough, they
merge (the older id stands), so the result depends little on arrival order.
Precision comes first: a duplicate story is a nuisance, two events in one brief is a
mistake. Hence three vetoes on siblings: two items of the same source, or two different
pages of one site (a lab's posts carried by two aggregator feeds), must be near copies
(a publisher rarely tells one event twice); titles whose numbers all differ
("Windsurf 1.2.4" / "1.2.5", "$450 million" / "$33 million") are not siblings; and unless
the wording is a near copy, one title's names must mostly appear in the other ("Claude
Opus 4.8" / "dynamic workflows in Claude Code": one lab, two products).

Similarity is the TF-IDF cosine over word terms and character 3-5-grams
(``core.stories.text``), averaged with the cosine of small title embeddings where both
titles are in Latin script (``core.stories.embed``; the embedding lifts only pairs that
share a name or number, and never a publisher's own items). Across scripts anchors
count: Latin-script names and numbers, amounts in one unit; with a cross-lingual model
configured (``core.stories.embed_llm``) meaning counts too, where amounts and names agree.
IDF is learnt from every article seen, not only the window's (a quiet window would make
"introducing" look rare); vectors are frozen when an article arrives and all refreshed
each time the number of articles seen doubles, so the cost stays linear.

Candidates come from an inverted index over words that are rare in the window, so the
cost per article does not grow with the number of stories stored. Two hard signals
short-cut the text: the same canonical URL (one page carried by two feeds, however far
apart their dates) and an aggregator item that links to an article already placed.

The state serialises to JSON (:meth:`Clusterer.dump` / :meth:`Clusterer.load`): the
window's article texts, term frequencies, URL map and merge aliases, never code.
"""

from __future__ import annotations

import heapq
import math
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import repeat
from operator import mul
from typing import Any

import numpy as np

from core.models import short_hash
from core.stories.embed import (
    Array,
    Embedder,
    EmbeddingUnavailable,
    default_embedder,
    dequantise,
    latin_text,
    quantise,
)
from core.stories.orgs import SUFFIXES, actor_words, named_orgs, site_org
from core.stories.text import (
    anchors,
    clean,
    features,
    is_date,
    is_roundup,
    script_of,
    series_parts,
    title_numbers,
    url_key,
    word_key,
    words,
)

Vector = dict[str, float]

STATE_VERSION = 3
SUMMARY_CHARS = 600  # what of a summary counts (titles say what happened)


_SUFFIX_TERMS = frozenset("w:" + s for s in SUFFIXES)


@dataclass(frozen=True)
class Doc:
    """What the clusterer needs of an article."""

    id: str
    title: str
    url: str
    source: str
    published: datetime
    summary: str = ""
    links: tuple[str, ...] = ()  # outbound links: an aggregator's point at its story
    aggregator: bool = False  # its links name the story outright (others: see _linked_story)


@dataclass(frozen=True)
class ClusterParams:
    """Tuning, chosen on general grounds (see BENCHMARKS.md); not per data set."""

    join: float = 0.1  # mean similarity to a story's members needed to join it ...
    sibling: float = 0.3  # ... and one member at least this close on its own
    merge: float = 0.12  # mean cosine between two stories' members needed to merge ...
    merge_gate: float = 1.5  # ... when an article is this many times `merge` close to both,
    # with a sibling (see `sibling`) in each
    char_share: float = 0.7  # share of the cosine from character n-grams (rest: words)
    salient_boost: float = 1.6  # names and numbers weigh more than other words
    max_candidates: int = 8  # stories compared exactly per article
    same_source_sibling: float = 0.6  # ... this close when it is from the same source
    sibling_checks: int = 30  # members compared one by one per story
    rare_df: float = 0.02  # a word in more than this share of the window finds no candidates
    rare_df_min: int = 40  # ... unless the window is small
    max_vocab: int = 400_000  # terms whose frequency is kept (then counts halve)
    refresh_growth: float = 2.0  # refresh every vector when the window grew by this factor
    url_horizon_hours: float = 30 * 24.0  # how long a URL keeps pointing at its story
    semantic_share: float = 0.4  # weight of the embedding cosine where both have one
    semantic_floor: float = 0.0  # embedding cosine that counts as nothing in common
    sibling_lexical: float = 0.0  # a sibling shares at least this much wording too
    salient_gate: bool = True  # meaning lifts only pairs sharing a name or number ...
    salient_cover: float = 0.75  # ... this share (IDF-weighted) of the fewer side's names
    names_free: float = 0.6  # wording this close needs no agreement on names
    anchor_min: int = 2  # across scripts: names and numbers shared, a name among them ...
    anchor_cover: float = 0.75  # ... and this share (IDF-weighted) of the fewer names
    subject_shared_idf: float = 10.0  # title words shared (IDF sum) that make two orgs' one event
    actor_titles: int = 2  # a name is an actor's once this many window titles name a company by it
    deeds_idf: float = 6.0  # titles sharing only who acted: rare words (IDF sum) for one event


@dataclass
class _Entry:
    id: str
    story: str
    published: float
    words: Counter[str]
    grams: Counter[str]
    salient: frozenset[str]
    url: str
    title: str
    summary: str
    source: str = ""
    numbers: frozenset[str] = frozenset()  # title words with digits: versions, amounts
    vec: Vector = field(default_factory=dict)
    emb: Array | None = None  # dequantised unit embedding (None: not Latin script)
    script: str = "latin"
    names: frozenset[str] = frozenset()  # anchors across languages (core.stories.text)
    figures: frozenset[str] = frozenset()
    code: bytes = b""  # its int8 codes, as stored in Redis
    title_salient: frozenset[str] = frozenset()  # the names and numbers of the title
    title_terms: frozenset[str] = frozenset()  # the title's word terms
    subject: str = ""  # the organisation first named in the title, else the site's own
    named: frozenset[str] = frozenset()  # every organisation the title names
    actors: frozenset[str] = frozenset()  # the title's terms naming who acted ("w:openai")
    site_subject: bool = False  # the subject is the site's (the title names none)
    roundup: bool = False  # a digest's title listing several launches
    parts: frozenset[str] = frozenset()  # "part 2 of 2": which part of a series


@dataclass
class _Story:
    id: str
    members: set[str]
    total: Vector
    created: float
    emb_total: Array = field(default_factory=lambda: np.zeros(0, dtype=np.float32))
    emb_count: int = 0  # members that have an embedding

    def mean_dot(self, vec: Vector) -> float:
        return _dot(vec, self.total) / len(self.members)

    def mean_emb(self, emb: Array | None) -> float | None:
        if emb is None or self.emb_count == 0:
            return None
        return float(emb @ self.emb_total) / self.emb_count

    def add_emb(self, emb: Array | None, sign: int) -> None:
        if emb is None:
            return
        if self.emb_count == 0 or not self.emb_total.size:
            self.emb_total = np.zeros_like(emb)
        self.emb_total += sign * emb
        self.emb_count += sign


class Clusterer:
    """Assigns articles to stories, one at a time. Not thread-safe: one owner at a time."""

    def __init__(
        self,
        window_hours: float,
        params: ClusterParams | None = None,
        embedder: Embedder | None = None,
    ) -> None:
        self.window = window_hours * 3600.0
        self.params = params or ClusterParams()
        self.embedder = embedder  # None: the lexical signal alone
        self._new_codes: dict[str, bytes] = {}  # embeddings not yet taken by take_codes
        self._pending: dict[str, bytes] = {}  # embeddings computed ahead by add_many
        self._batch = False  # inside add_many: every embedding was asked for already
        self.clock = float("-inf")  # newest published time seen (epoch seconds)
        self._entries: dict[str, _Entry] = {}
        self._stories: dict[str, _Story] = {}
        # IDF is learnt from every article seen, not only the window's: a window of a few
        # dozen articles would make "introducing" or "update" look rare. Counts halve
        # (singletons drop) when the vocabulary outgrows ``max_vocab``: old news fades.
        self._df: dict[str, int] = {}
        self._seen = 0
        # word -> article ids (a dict as an ordered set: the same input, the same result)
        self._index: dict[str, dict[str, None]] = {}
        # name term -> window titles naming an actor by it ("Aurora" of "Aurora AI ..."):
        # a title that only shares such a name with another shares who, not what
        self._actors: Counter[str] = Counter()
        self._by_time: list[tuple[float, str]] = []
        self._urls: dict[str, tuple[str, float]] = {}  # url key -> (story id, clock then)
        self._aliases: dict[str, tuple[str, float]] = {}  # merged id -> (into, clock)
        self._fresh: list[str] = []  # merged ids not yet taken by take_aliases
        self._refreshed_at = 0
        self._prune_at = 1000

    # -- public -------------------------------------------------------------------------

    def add(self, doc: Doc) -> str:
        """Place one article; returns its story id (an alias may later redirect it)."""
        if doc.id in self._entries:
            return self.story_of(doc.id) or self._entries[doc.id].story
        published = doc.published.timestamp()
        self.clock = max(self.clock, published)
        self._evict()
        entry = self._make_entry(doc, published)
        self._learn(entry)
        self._actors.update(entry.actors)
        self._maybe_refresh()
        entry.vec = self._vectorize(entry)
        self._embed([entry])
        return self._resolve(self._place(entry, doc))

    def add_many(self, docs: Iterable[Doc]) -> list[str]:
        """Place articles in the order given (their embeddings computed in one batch,
        which costs a fraction of one call each); returns their story ids."""
        items = list(docs)
        self._pending = self._embed_titles([d for d in items if d.id not in self._entries])
        self._batch = True  # a model that failed on the batch is not asked again per article
        try:
            return [self.add(doc) for doc in items]
        finally:
            self._pending = {}
            self._batch = False

    def story_of(self, article_id: str) -> str | None:
        """The current story of an article still in the window."""
        entry = self._entries.get(article_id)
        return None if entry is None else self._resolve(entry.story)

    def resolve(self, story_id: str) -> str:
        """The surviving id of a story that may have been merged into another."""
        return self._resolve(story_id)

    def take_codes(self) -> dict[str, bytes]:
        """Article id -> int8 embedding codes of articles placed since the last call."""
        codes, self._new_codes = self._new_codes, {}
        return {k: v for k, v in codes.items() if k in self._entries}

    def take_aliases(self) -> dict[str, str]:
        """Merged story id -> surviving id, resolved, since the last call (then forgotten)."""
        aliases = {old: self._resolve(old) for old in self._fresh}
        self._fresh.clear()
        return aliases

    def members(self, story_id: str) -> list[str]:
        """Article ids of a story that are in the window."""
        story = self._stories.get(self._resolve(story_id))
        return sorted(story.members) if story else []

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def story_count(self) -> int:
        return len(self._stories)

    # -- placing ------------------------------------------------------------------------

    def _place(self, entry: _Entry, doc: Doc) -> str:
        forced = self._forced_story(entry, doc)
        ranked, near = self._candidates(entry)
        scored = sorted(((self._story_link(entry, s), s) for s in ranked), reverse=True)
        target = forced
        if target is None:
            for similarity, story_id in scored:
                if similarity < self.params.join:
                    break
                if self._has_sibling(entry, near.get(story_id, [])):
                    target = story_id
                    break
        if target is None:
            target = self._anchored_story(entry, scored, near)
        if target is None:
            target = "s" + short_hash("story", doc.id, size=8)
        self._attach(entry, target)
        if entry.roundup:
            return target  # a digest listing several launches bridges none of them
        bridge = self.params.merge * self.params.merge_gate
        for similarity, other in scored:
            if (
                other != target
                and similarity >= bridge
                and self._has_sibling(entry, near.get(other, []))
            ):
                target = self._maybe_merge(target, other)
        return target

    def _anchored_story(
        self,
        entry: _Entry,
        scored: list[tuple[float, str]],
        near: dict[str, list[tuple[float, str]]],
    ) -> str | None:
        """The story one of whose members tells the event in another script and shares
        the entry's anchors (names in Latin script, numbers): no words are shared there."""
        for _, story_id in scored:
            for _, other in heapq.nlargest(self.params.sibling_checks, near.get(story_id, [])):
                if self._anchored(entry, self._entries[other]):
                    return story_id
        return None

    def _anchored(self, entry: _Entry, member: _Entry) -> bool:
        if entry.script == member.script:
            return False
        if entry.figures and member.figures and entry.figures.isdisjoint(member.figures):
            return False  # "$40 billion" is not "$13 billion", in any language
        names = entry.names & member.names
        shared = len(names) + len(entry.figures & member.figures)
        if not names or shared < self.params.anchor_min:
            return False
        fewer = min(entry.names, member.names, key=len)
        weight = self._names_weight
        return weight(names) >= self.params.anchor_cover * weight(fewer)

    def _names_weight(self, names: frozenset[str]) -> float:
        return sum(self._idf("w:" + name) for name in names)

    def _forced_story(self, entry: _Entry, doc: Doc) -> str | None:
        links = doc.links if doc.aggregator else ()
        for key in (entry.url, *(url_key(link) for link in links)):
            hit = self._urls.get(key)
            if hit is not None:
                return self._resolve(hit[0])
        return None if doc.aggregator else self._linked_story(entry, doc)

    def _linked_story(self, entry: _Entry, doc: Doc) -> str | None:
        """The story an item links to, when its links reach one story only and its text is
        related to it (a post links to background too: a roundup reaches several)."""
        hits = {self._resolve(hit[0]) for hit in map(self._urls.get, map(url_key, doc.links))
                if hit is not None}  # fmt: skip
        if len(hits) != 1:
            return None
        story_id = hits.pop()
        if story_id not in self._stories:
            return None
        return story_id if self._story_link(entry, story_id) >= self.params.join else None

    def _candidates(self, entry: _Entry) -> tuple[list[str], dict[str, list[tuple[float, str]]]]:
        """Stories sharing rare words with the entry, best first (idf-weighted), and per
        story its members that share them, with their idf-weighted overlap."""
        limit = max(self.params.rare_df_min, self.params.rare_df * len(self._entries))
        shared: dict[str, float] = {}
        for term in entry.words:
            posting = self._index.get(term)
            if not posting or len(posting) > limit:
                continue
            weight = self._idf(term)
            for other in posting:
                shared[other] = shared.get(other, 0.0) + weight
        shared.pop(entry.id, None)
        votes: dict[str, float] = {}
        near: dict[str, list[tuple[float, str]]] = {}
        for other, weight in shared.items():
            story = self._entries[other].story
            near.setdefault(story, []).append((weight, other))
            if weight > votes.get(story, 0.0):
                votes[story] = weight
        best = heapq.nlargest(self.params.max_candidates, votes.items(), key=lambda kv: kv[1])
        return [story for story, _ in best], near

    def _has_sibling(self, entry: _Entry, near: list[tuple[float, str]]) -> bool:
        """Whether one member of a story is close to the entry on its own (not only the
        story's average): a short generic title must not join on common letters."""
        if self.params.sibling <= 0.0:
            return True
        vec = entry.vec
        need = self.params.sibling
        for _, other in heapq.nlargest(self.params.sibling_checks, near):
            member = self._entries[other]
            if member.roundup and not entry.roundup:
                continue  # a digest listing two launches is no bridge between them
            if entry.numbers and member.numbers and entry.numbers.isdisjoint(member.numbers):
                continue  # "Windsurf 1.2.4" is not "Windsurf 1.2.5"
            if entry.parts and member.parts and entry.parts.isdisjoint(member.parts):
                continue  # "part 1 of 2" is not "part 2 of 2" (their numbers overlap)
            lexical = _dot(vec, member.vec)
            if entry.script != member.script:
                if self._anchored(entry, member) or self._meant_alike(entry, member, lexical):
                    return True  # only names, numbers and (with a model) meaning are shared
                continue
            if _same_publisher(entry, member):
                # A publisher rarely tells one event twice: its own items, and two pages
                # of one site carried by two feeds, must be near copies in wording (in
                # meaning, all of a lab's posts are alike).
                if lexical >= max(need, self.params.same_source_sibling):
                    return True
                continue
            if lexical < self.params.sibling_lexical:
                continue  # meaning alone is too loose: "Business in Brief" is no event
            if lexical < self.params.names_free and not self._names_agree(entry, member):
                continue  # "OpenAI ... Sora 2" and "OpenAI ... SB OpenAI Japan": two events
            if lexical < self.params.names_free and self._subjects_differ(entry, member):
                continue  # "Mistral ... with NVIDIA" and "Cohere ... with NVIDIA": two events
            if self._combined(lexical, _cosine(entry.emb, member.emb)) >= need:
                return True
        return False

    def _meant_alike(self, entry: _Entry, member: _Entry, lexical: float) -> bool:
        """Across scripts, with a cross-lingual embedding model: close in meaning, no
        amount or number that differs ("$40 billion" is not "130億ドル"), and most of the
        fewer Latin-script names shared."""
        if self.embedder is None or not self.embedder.cross_lingual:
            return False
        if entry.figures and member.figures and entry.figures.isdisjoint(member.figures):
            return False
        fewer = min(entry.names, member.names, key=len)
        weight = self._names_weight
        if fewer and weight(entry.names & member.names) < self.params.anchor_cover * weight(fewer):
            return False  # "Gemini 3 Pro" is not "Gemini 3 Flash" in any language
        semantic = _cosine(entry.emb, member.emb)
        return semantic is not None and self._combined(lexical, semantic) >= self.params.sibling

    def _subjects_differ(self, entry: _Entry, member: _Entry) -> bool:
        """Whether two titles are about two organisations: each has a subject (the first
        organisation it names, else its site's), they differ, neither title names the
        other's, and no version or amount is shared. When a subject is only the site's
        ("API Public Beta" on x.ai), rare title words shared also say one event ("data
        poisoning" told by AISI and the Turing; one word, "Harnessing", is not enough)."""
        a, b = entry.subject, member.subject
        if not a or not b or a == b or a in member.named or b in entry.named:
            return False
        if _dated_out(entry.numbers) & _dated_out(member.numbers):
            return False
        if entry.site_subject or member.site_subject:
            shared = (t for t in entry.title_terms & member.title_terms if not is_date(t[2:]))
            return sum(map(self._idf, shared)) < self.params.subject_shared_idf
        return True

    def _names_agree(self, entry: _Entry, member: _Entry) -> bool:
        """Whether two headlines name the same thing: most (IDF-weighted) of one title's
        names and numbers appear in the other title. "Claude Opus 4.8" and "dynamic
        workflows in Claude Code" share a lab, not a product: two events."""
        if not self.params.salient_gate or not entry.salient or not member.salient:
            return True
        if not entry.title_salient and not member.title_salient:
            return not entry.salient.isdisjoint(member.salient)  # Title Case: the summaries'
        return max(self._covered(entry, member), self._covered(member, entry)) >= (
            self.params.salient_cover
        )

    def _covered(self, entry: _Entry, other: _Entry) -> float:
        """The IDF-weighted share of ``entry``'s title names that ``other``'s title has
        (none when it names nothing: capitals mean little in Title Case). Sharing only
        who acted counts for nothing unless rare words of what they did are shared too:
        "Aurora AI signs a nuclear deal" is not "Aurora AI launches Aurora-3"."""
        names = entry.title_salient
        if not names:
            return 0.0
        shared = names & other.title_terms
        if self._only_who(entry, shared) and not self._deeds_shared(entry, other):
            return 0.0
        weight = self._terms_weight
        return weight(shared) / weight(names)

    def _only_who(self, entry: _Entry, shared: frozenset[str]) -> bool:
        """Whether the names ``entry``'s title shares are only who acted: names by which
        several window titles name a company ("Aurora" of "Aurora AI"), and the company
        suffix of such an actor named in this title ("AI" of "Aurora AI turns to ...")."""
        if not shared:
            return False
        count, least = self._actors.get, self.params.actor_titles
        acting = any(count(t, 0) >= least for t in entry.actors)
        return all(count(t, 0) >= least or (acting and t in _SUFFIX_TERMS) for t in shared)

    def _deeds_shared(self, entry: _Entry, other: _Entry) -> bool:
        """Whether two titles share a number (a version, an amount) or rare words besides
        their names and dates."""
        if entry.numbers & other.numbers:
            return True
        names = entry.title_salient | other.title_salient | entry.actors | other.actors
        shared = (t for t in (entry.title_terms & other.title_terms) - names if not is_date(t[2:]))
        return sum(map(self._idf, shared)) >= self.params.deeds_idf

    def _terms_weight(self, terms: frozenset[str]) -> float:
        return sum(self._idf(term) for term in terms)

    def _story_link(self, entry: _Entry, story_id: str) -> float:
        story = self._stories[story_id]
        return self._combined(story.mean_dot(entry.vec), story.mean_emb(entry.emb))

    def _combined(self, lexical: float, semantic: float | None) -> float:
        """The lexical cosine, blended with the embedding cosine where both sides have
        one; the embedding's floor (what any two headlines share) counts as zero."""
        if semantic is None:
            return lexical
        floor = self.params.semantic_floor
        share = self.params.semantic_share
        lifted = max(0.0, (semantic - floor) / (1.0 - floor))
        return (1.0 - share) * lexical + share * lifted

    def _attach(self, entry: _Entry, story_id: str) -> None:
        story = self._stories.get(story_id)
        if story is None:
            story = _Story(id=story_id, members=set(), total={}, created=entry.published)
            self._stories[story_id] = story
        story.members.add(entry.id)
        _add_into(story.total, entry.vec, 1.0)
        story.add_emb(entry.emb, 1)
        entry.story = story_id
        self._entries[entry.id] = entry
        heapq.heappush(self._by_time, (entry.published, entry.id))
        for term in entry.words:
            self._index.setdefault(term, {})[entry.id] = None
        if entry.url:
            self._urls[entry.url] = (story_id, self.clock)

    def _maybe_merge(self, keep_id: str, other_id: str) -> str:
        keep, other = self._stories.get(keep_id), self._stories.get(other_id)
        if keep is None or other is None or keep is other:
            return keep_id
        small, large = sorted((keep.total, other.total), key=len)
        link = _dot(small, large) / (len(keep.members) * len(other.members))
        semantic = None
        if keep.emb_count and other.emb_count:
            semantic = float(keep.emb_total @ other.emb_total) / (keep.emb_count * other.emb_count)
        if self._combined(link, semantic) < self.params.merge:
            return keep_id
        survivor, gone = (keep, other) if keep.created <= other.created else (other, keep)
        for member in gone.members:
            self._entries[member].story = survivor.id
        survivor.members |= gone.members
        _add_into(survivor.total, gone.total, 1.0)
        if gone.emb_count:
            if not survivor.emb_count:
                survivor.emb_total = np.zeros_like(gone.emb_total)
            survivor.emb_total += gone.emb_total
            survivor.emb_count += gone.emb_count
        survivor.created = min(survivor.created, gone.created)
        del self._stories[gone.id]
        self._aliases[gone.id] = (survivor.id, self.clock)
        self._fresh.append(gone.id)
        return survivor.id

    def _resolve(self, story_id: str) -> str:
        seen = 0
        while story_id in self._aliases and seen < 64:
            story_id = self._aliases[story_id][0]
            seen += 1
        return story_id

    # -- vectors and IDF ----------------------------------------------------------------

    def _make_entry(self, doc: Doc, published: float) -> _Entry:
        url = url_key(doc.url) if doc.url else ""
        entry = _new_entry(doc.id, published, doc.title, doc.summary[:SUMMARY_CHARS], url)
        entry.source = doc.source
        return entry

    def _learn(self, entry: _Entry) -> None:
        df = self._df
        get = df.get
        for term in entry.words:
            df[term] = get(term, 0) + 1
        for term in entry.grams:
            df[term] = get(term, 0) + 1
        self._seen += 1
        if len(df) > self.params.max_vocab:
            self._df = {t: c // 2 for t, c in df.items() if c > 1}
            self._seen = max(1, self._seen // 2)

    def _idf(self, term: str) -> float:
        return math.log((self._seen + 1) / (self._df.get(term, 0) + 1)) + 1.0

    def _vectorize(self, entry: _Entry) -> Vector:
        """Unit vector: words and n-grams each normalised, then mixed by ``char_share``."""
        df = self._df.get
        base = math.log(self._seen + 1) + 1.0  # idf = base - log(df + 1)
        log = math.log
        words = {t: (1.0 + log(c)) * (base - log(df(t, 0) + 1)) for t, c in entry.words.items()}
        for term in entry.salient:
            if term in words:
                words[term] *= self.params.salient_boost
        grams = {t: (1.0 + log(c)) * (base - log(df(t, 0) + 1)) for t, c in entry.grams.items()}
        word_norm = math.sqrt(sum(map(mul, words.values(), words.values())))
        gram_norm = math.sqrt(sum(map(mul, grams.values(), grams.values())))
        share = self.params.char_share if word_norm and gram_norm else 1.0
        vec: Vector = {}
        if word_norm:
            scale = math.sqrt(1.0 - share if gram_norm else 1.0) / word_norm
            vec = {t: w * scale for t, w in words.items()}
        if gram_norm:
            scale = math.sqrt(share) / gram_norm
            vec.update({t: w * scale for t, w in grams.items()})
        return vec

    def _maybe_refresh(self) -> None:
        n = self._seen
        if n < 8 or n < self._refreshed_at * self.params.refresh_growth:
            return
        self._refreshed_at = n
        for story in self._stories.values():
            story.total = {}
        for entry in self._entries.values():
            entry.vec = self._vectorize(entry)
            _add_into(self._stories[entry.story].total, entry.vec, 1.0)

    # -- the window ---------------------------------------------------------------------

    def _evict(self) -> None:
        horizon = self.clock - self.window
        while self._by_time and self._by_time[0][0] < horizon:
            _, article_id = heapq.heappop(self._by_time)
            entry = self._entries.pop(article_id, None)
            if entry is not None:
                self._drop(entry)
        url_horizon = self.clock - self.params.url_horizon_hours * 3600.0
        if len(self._urls) + len(self._aliases) > self._prune_at:
            self._urls = {k: v for k, v in self._urls.items() if v[1] >= url_horizon}
            self._aliases = {k: v for k, v in self._aliases.items() if v[1] >= url_horizon}
            # Next time at twice the size kept: pruning stays linear overall.
            self._prune_at = 2 * (len(self._urls) + len(self._aliases)) + 1000

    def _drop(self, entry: _Entry) -> None:
        self._actors.subtract(entry.actors)
        for term in entry.actors:
            if self._actors[term] <= 0:
                del self._actors[term]
        for term in entry.words:
            posting = self._index.get(term)
            if posting is not None:
                posting.pop(entry.id, None)
                if not posting:
                    del self._index[term]
        story = self._stories.get(entry.story)
        if story is None:
            return
        story.members.discard(entry.id)
        if not story.members:
            del self._stories[story.id]
        else:
            _add_into(story.total, entry.vec, -1.0)
            story.add_emb(entry.emb, -1)

    # -- state --------------------------------------------------------------------------

    def dump(self) -> dict[str, Any]:
        """The state as plain JSON-able data (vectors are rebuilt on load)."""
        return {
            "version": STATE_VERSION,
            "clock": self.clock if math.isfinite(self.clock) else None,
            "entries": [_entry_state(e) for e in self._entries.values()],
            "urls": {k: [s, t] for k, (s, t) in self._urls.items()},
            "aliases": {k: [s, t] for k, (s, t) in self._aliases.items()},
            "created": {s.id: s.created for s in self._stories.values()},
            "seen": self._seen,
            # singletons are left out (a tenth of the size; their IDF barely moves)
            "df": {t: c for t, c in self._df.items() if c > 1},
        }

    def _embed(self, entries: list[_Entry], codes: dict[str, bytes] | None = None) -> None:
        """Give Latin-script entries their embedding: stored or pending codes, else new."""
        if self.embedder is None:
            return
        stored = codes or {}
        todo = [e for e in entries if e.id not in stored and e.id not in self._pending]
        computed = {} if self._batch else self._embed_titles(todo)
        for entry in entries:
            code = stored.get(entry.id) or self._pending.get(entry.id) or computed.get(entry.id)
            if code:
                entry.code = code
                entry.emb = dequantise(code)
                if entry.id not in stored:
                    self._new_codes[entry.id] = code

    def _embed_titles(self, items: Sequence[_Entry | Doc]) -> dict[str, bytes]:
        """Int8 codes of the Latin-script titles among ``items``, by id, in one batch."""
        if self.embedder is None:
            return {}
        every = self.embedder.cross_lingual
        todo = [x for x in items if every or latin_text(x.title)]
        if not todo:
            return {}
        try:
            rows = self.embedder.embed([clean(x.title) for x in todo])
        except EmbeddingUnavailable:
            return {}  # this batch goes on names, numbers and wording alone
        return {x.id: quantise(row) for x, row in zip(todo, rows, strict=True)}

    @classmethod
    def load(
        cls,
        state: dict[str, Any],
        window_hours: float,
        params: ClusterParams | None = None,
        embedder: Embedder | None = None,
        codes: dict[str, bytes] | None = None,
    ) -> Clusterer:
        """Rebuild a clusterer from :meth:`dump` output (an unknown version: start empty);
        ``codes`` are stored embeddings by article id (missing ones are recomputed)."""
        self = cls(window_hours, params, embedder)
        if state.get("version") != STATE_VERSION:
            return self
        clock = state.get("clock")
        self.clock = float(clock) if clock is not None else float("-inf")
        self._df = {str(t): int(c) for t, c in state.get("df", {}).items()}
        self._seen = int(state.get("seen", 0))
        for raw in state.get("entries", []):
            entry = _entry_from_state(raw)
            self._entries[entry.id] = entry
            heapq.heappush(self._by_time, (entry.published, entry.id))
            self._actors.update(entry.actors)
            for term in entry.words:
                self._index.setdefault(term, {})[entry.id] = None
        created = state.get("created", {})
        self._embed(list(self._entries.values()), codes or {})
        for entry in self._entries.values():
            entry.vec = self._vectorize(entry)
            story = self._stories.get(entry.story)
            if story is None:
                when = float(created.get(entry.story, entry.published))
                story = _Story(id=entry.story, members=set(), total={}, created=when)
                self._stories[entry.story] = story
            story.members.add(entry.id)
            _add_into(story.total, entry.vec, 1.0)
            story.add_emb(entry.emb, 1)
        self._urls = {k: (str(v[0]), float(v[1])) for k, v in state.get("urls", {}).items()}
        self._aliases = {k: (str(v[0]), float(v[1])) for k, v in state.get("aliases", {}).items()}
        self._refreshed_at = self._seen
        return self


def _dot(vec: Vector, other: Vector) -> float:
    """Sparse dot product, walking ``vec`` (pass the smaller vector first)."""
    if len(other) <= 2 * len(vec):
        # Similar sizes: intersect the keys in C, multiply only what is shared.
        return float(sum([vec[t] * other[t] for t in vec.keys() & other.keys()]))
    return float(sum(map(mul, vec.values(), map(other.get, vec, repeat(0.0)))))


def _same_publisher(entry: _Entry, member: _Entry) -> bool:
    """One source, or two different pages of one site (``url_key`` starts with the host):
    a lab's post carried by two aggregator feeds is still that lab's post."""
    if entry.source and member.source == entry.source:
        return True
    if not entry.url or not member.url or entry.url == member.url:
        return False
    site, other = entry.url.partition("/")[0], member.url.partition("/")[0]
    if site == other:
        return True
    org = site_org(site)
    return bool(org) and org == site_org(other)  # claude.com and anthropic.com: Anthropic


def _dated_out(numbers: frozenset[str]) -> frozenset[str]:
    """Title numbers that are no year ("2024" is shared by every post of that year)."""
    return frozenset(n for n in numbers if not is_date(n))


def _cosine(emb: Array | None, other: Array | None) -> float | None:
    if emb is None or other is None:
        return None
    return float(emb @ other)


def _add_into(total: Vector, vec: Vector, sign: float) -> None:
    get = total.get
    if sign > 0:
        for t, w in vec.items():
            total[t] = get(t, 0.0) + w
        return
    for t, w in vec.items():
        value = get(t, 0.0) - w
        if -1e-9 < value < 1e-9:
            total.pop(t, None)
        else:
            total[t] = value


def _new_entry(article_id: str, published: float, title: str, summary: str, url: str) -> _Entry:
    word_counts, gram_counts, salient, title_salient, title_terms = features(title, summary)
    names, figures = anchors(title)
    written = words(title)
    keys = [word_key(w) for w in written]
    named = named_orgs(keys)
    host_org = site_org(url.partition("/")[0]) if url else ""
    return _Entry(
        id=article_id,
        story="",
        published=published,
        words=word_counts,
        grams=gram_counts,
        salient=frozenset(salient),
        title_salient=title_salient,
        title_terms=title_terms,
        url=url,
        title=title,
        summary=summary,
        numbers=title_numbers(title),
        script=script_of(title),
        names=names,
        figures=figures,
        subject=named[0] if named else host_org,
        named=frozenset(named),
        actors=frozenset("w:" + key for key in actor_words(written, keys)),
        site_subject=not named and bool(host_org),
        roundup=is_roundup(title),
        parts=series_parts(title),
    )


def _entry_state(entry: _Entry) -> list[Any]:
    # The text, not the terms: terms are ~10x larger and cheap to recompute.
    return [
        entry.id, entry.story, entry.published, entry.title, entry.summary, entry.url,
        entry.source,
    ]  # fmt: skip


def _entry_from_state(raw: list[Any]) -> _Entry:
    article_id, story, published, title, summary, url, source = raw
    entry = _new_entry(str(article_id), float(published), str(title), str(summary), str(url))
    entry.story = str(story)
    entry.source = str(source)
    return entry


def cluster_all(
    docs: Iterable[Doc],
    window_hours: float,
    params: ClusterParams | None = None,
    *,
    semantic: bool = True,
    embedder: Embedder | None = None,
) -> Iterator[tuple[str, str]]:
    """(article id, final story id) for each doc, in input order: the production path
    with ``embedder`` (default: the bundled one; ``semantic=False`` leaves the embeddings
    out, for comparison).

    Articles are placed oldest first, as ``update_stories`` places each batch, so the
    window slides over a file in any order."""
    items = list(docs)
    chosen = (embedder or default_embedder()) if semantic else None
    clusterer = Clusterer(window_hours, params, chosen)
    order = sorted(range(len(items)), key=lambda i: (items[i].published, i))
    placed = dict(zip(order, clusterer.add_many(items[i] for i in order), strict=True))
    for index, doc in enumerate(items):
        yield doc.id, clusterer.resolve(placed[index])
