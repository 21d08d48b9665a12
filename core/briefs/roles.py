"""What part of the AIToday format a quoted sentence can honestly fill.

The offline writer never writes: it picks sentences. This module says which sentences
have the *role* of each key point, from cue patterns per language:

- ``happened``: the event, who did what: announcement and action verbs in the past tense
  ("announced", "launched", "raised", 発表した, 宣布, 발표했다, anunció, a lancé, stellte vor);
- ``matters``: consequence, significance, comparison, cause, context ("because", "which
  means", "the first", "the highest since", "in history", "compared with", "allowing",
  "the move comes after", "in an effort to", 意味, ため, 初めて, 過去最高, 首次, 创下, 因为, 相比);
- ``watch``: what comes next: plans, dates, pending decisions, availability ("will",
  "plans to", "expected to", "later this year", "available from", "is set to", "slated to",
  "still needs approval", "would probably", 予定, 今後, 順次, 将, 计划, 仍需, 예정, 将于).
  Words that only sound forward are not: "soon after", "than expected", "the later
  hearing", "considering that".

Some sentences play no role whatever their cues: the words of someone quoted (a whole
quotation, a piece of one, or a sentence inside a quotation an earlier sentence of its
paragraph opened: :func:`inside_quotation`), except a named speaker's outlook, which is
what to watch; asides in brackets; sentences in the reader's or the writer's voice
("you", "I", an exclamation, "be sure to"); an interview's "A:" answer. The words of a
quoted title ("... All the Money You Will Ever Need") are no cues.

A cue only counts; it proves nothing. The writer (:mod:`core.briefs.extractive`) adds the
sentence's position and how far other sources agree with it, and leaves a part empty when
no sentence carries its cue.

The cue family is chosen by the sentence's script (kana: ja, Hangul: ko, Thai: th, Han:
zh) and otherwise by the article's declared language (es, fr, de; anything else: en),
because feeds often declare the wrong language, and a script does not lie.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

Role = Literal["happened", "matters", "watch"]
ROLES: tuple[Role, ...] = ("happened", "matters", "watch")

_KANA = re.compile("[\u3040-\u30ff]")
_HANGUL = re.compile("[\uac00-\ud7af]")
_THAI = re.compile("[\u0e00-\u0e7f]")
_HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff]")

_WEEKDAY = r"(?:on\s+)?(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November"
    r"|December|Jan\.|Feb\.|Aug\.|Sept?\.|Oct\.|Nov\.|Dec\.)"
)


# The nouns a news story calls its event by ("The move comes after ...").
_EVENT_NOUN = (
    r"(?:move|news|announcement|decision|deal|ruling|report|statement|order|launch|release"
    r"|step|change|update|cut|cuts|rise|drop|decline|increase|crash|attack|arrest|swap"
    r"|acquisition|investment|agreement|lawsuit|investigation|probe|appointment|resignation"
    r"|departure|layoffs?|purchase|sale|partnership|merger|filing|verdict|results?|shift"
    r"|policy|law|rule|plan|offer|bid|ban|fine|settlement|approval|win|loss|defeat|victory)"
)


def _words(*alternatives: str) -> re.Pattern[str]:
    """A pattern matching any of ``alternatives`` as whole words (Latin scripts)."""
    return re.compile(r"\b(?:" + "|".join(alternatives) + r")\b", re.IGNORECASE)


def _chars(*alternatives: str) -> re.Pattern[str]:
    """A pattern matching any of ``alternatives`` anywhere (scripts without spaces)."""
    return re.compile("(?:" + "|".join(alternatives) + ")")


@dataclass(frozen=True)
class Cues:
    """The cue patterns of one language, one per role."""

    happened: re.Pattern[str]
    matters: re.Pattern[str]
    watch: re.Pattern[str]

    def pattern(self, role: Role) -> re.Pattern[str]:
        """The pattern of ``role``."""
        return {"happened": self.happened, "matters": self.matters, "watch": self.watch}[role]


EN = Cues(
    happened=_words(
        r"announced",
        r"launched",
        r"released",
        r"unveiled",
        r"introduced",
        r"debuted",
        r"rolled out",
        r"shipped",
        r"published",
        r"acquired",
        r"bought",
        r"raised",
        r"secured",
        r"closed",
        r"signed",
        r"agreed",
        r"partnered",
        r"teamed up",
        r"filed",
        r"sued",
        r"ruled",
        r"fined",
        r"banned",
        r"approved",
        r"passed",
        r"won",
        r"hired",
        r"appointed",
        r"named",
        r"resigned",
        r"stepped down",
        r"laid off",
        r"cut",
        r"opened",
        r"completed",
        r"revealed",
        r"reported",
        r"confirmed",
        r"disclosed",
        r"added",
        r"updated",
        r"expanded",
        r"(?:has|have) (?:\w+ )?(?:launched|released|announced|built|created|made|added)",
        r"today",
        r"yesterday",
        r"this week",
        _WEEKDAY,
        r"said",
        r"says",
        r"told",
        r"reportedly",
        r"according to",
        r"(?:has|have|had) (?:\w+ly )?(?:been )?[a-z]{3,}ed",
        r"(?:was|were) (?:\w+ly )?[a-z]{3,}ed",
        # A named (not -ing) subject right before a past-tense verb: "Kestrel unveiled".
        r"(?-i:(?:[A-Z][\w'’.&-]+(?<!ing)|[Ww]e|[Tt]hey|[Hh]e|[Ss]he) (?:\w+ly )?"
        r"(?:[a-z]{3,}ed|won|made|took|gave|sold|bought|began|became|brought|built|came|found|got|held|left|led|lost"
        r"|met|paid|ran|saw|sent|spent|struck|wrote|flew|grew|drew|shot|hit|rose|fell|broke"
        r"|chose|spoke|put|set))",
        r"(?:announces|launches|releases|unveils|introduces|acquires|raises|debuts)",
        # Findings: "a study finds", "tests reveal", "the data show".
        r"(?:finds|found that|reveals?|revealed that|shows that|showed that|concluded)",
        # Irregular participles after have, a few words in: "Chelsea have this morning paid".
        r"(?:has|have|had) (?:\w+ ){0,3}(?:paid|made|won|sold|bought|built|brought|taken|given"
        r"|begun|become|found|held|led|lost|met|spent|struck|written|grown|drawn|hit|set|put)",
    ),
    matters=_words(
        r"because",
        r"since it",
        r"due to",
        r"thanks to",
        r"as a result",
        r"which means",
        r"this means",
        r"that means",
        r"allows?",
        r"allow for",
        r"(?:leads?|led|leading) to",
        r"paves? the way",
        r"pave the way",
        r"hop(?:e|es|eful) (?:for|that|of)",
        r"hopeful",
        r"raising hopes",
        r"breakthrough",
        r"setback",
        r"blow to",
        r"boosts? (?:for|to)",
        r"fears?",
        r"worr(?:y|ies|ied)",
        r"means that",
        r"meaning",
        r"so that",
        r"the first (?:[\w-]+ ){0,3}?(?:to|time|ever|of its kind)",
        r"for the first time",
        r"first-ever",
        r"the largest",
        r"the biggest",
        # A record broken, not a record label, a track record or "for the record".
        r"(?<!track )(?<!criminal )(?<!public )(?<!for the )(?<!on the )(?<!off the )"
        r"record(?! labels?| compan(?:y|ies)"
        r"| deals?| stores?| shops?| players?| collection)",
        r"compared (?:with|to)",
        r"rivals?",
        r"matches",
        r"outperforms?",
        r"beats",
        r"surpass(?:es)?",
        r"times (?:its|their) size",
        r"versus",
        r"unlike",
        r"allowing",
        r"enabling",
        r"making it",
        r"significant(?:ly)?",
        r"important",
        r"crucial",
        r"impact",
        r"signals?",
        r"underscores?",
        r"concerns?",
        r"risks?",
        r"threat",
        r"critics?",
        # Reaction that shows the stakes: "They criticised the company and the effect ...".
        r"critici[sz]ed",
        r"condemned",
        r"welcomed",
        r"backlash",
        r"outcry",
        r"shows? (?:that|clear|strong|significant)",
        r"times (?:more|less|faster|cheaper)",
        r"in order to",
        r"aims? to",
        r"designed to",
        r"intended to",
        # Significance by a record or a first: "the first time since 2008", "the highest
        # since", "in history", "all-time", "unprecedented", "a milestone".
        r"(?:the|its|their|his|her|(?<=\w)['’]s) first (?:[\w-]+ ){0,4}?since",
        r"(?:highest|lowest|biggest|largest|worst|best|strongest|weakest|fastest|slowest)"
        r" (?:[\w-]+ ){0,4}?since",
        r"in (?:its|their|the company's|the company’s|the country's|the country’s)? ?history",
        r"all-time",
        r"unprecedented",
        r"historic",
        r"milestone",
        r"landmark",
        # Context that makes the event matter: "The move comes a week after ...".
        rf"^(?:This|That|It|The {_EVENT_NOUN}) (?:comes|came) (?:[\w-]+ ){{0,5}}?(?:after|amid"
        r"|as|on the heels of|at a time)",
        r"the latest (?:sign|blow|setback|example|step|move|in a (?:series|string|line))",
        r"(?:a|the) (?:sign|signal|reminder|test) (?:of|that)",
        # Purpose, like "in order to": "in an effort to", "in a bid to".
        r"in an? (?:effort|bid|attempt|push) to",
        r"as part of (?:a|an|its|their|the) (?:[\w-]+ ){0,2}?(?:effort|push|plan|strategy"
        r"|drive|bid|campaign)",
        # Consequence: "the move could ...", "threatens to".
        rf"(?:the|this|that) {_EVENT_NOUN} (?:could|would|may|might|should|is likely to"
        r"|is expected to|will likely)",
        r"threatens? to",
        r"(?:could|may|might|would) (?:be|mark|signal) (?:the )?(?:beginning|start|end) of",
        r"(?:could|would|may|might) (?:mean|help|hurt|lead|boost|affect|threaten|spur|slow"
        r"|speed up|reduce|lower|cost|save|reshape|transform|change the)",
        r"(?:implications?|consequences?|at stake)",
        # What the event does to someone's chances: "the Chargers' playoff hopes are slim".
        r"(?:playoff|title|championship|promotion|relegation|election|re-election|survival"
        r"|medal|qualification) (?:hopes|chances)",
    ),
    watch=_words(
        r"will",
        r"'ll",
        r"’ll",
        r"won’t",
        r"hopes? to",
        r"hopes of",
        # A hope said in the past for what is still to come: "he hoped the swap would ...".
        r"hoped (?:that )?(?:[\w’'-]+ ){1,5}?(?:would|could|will)",
        r"under (?:investigation|review|consideration)",
        r"(?:is|are) investigating",
        r"could face",
        r"proposed",
        r"proposal",
        # "soon after", "eventually got": told in the past; "will soon" counts "will".
        r"soon(?! after| afterwards| thereafter)",
        r"future",
        r"tomorrow",
        r"tonight",
        r"later (?:today|on)",
        r"this (?:weekend|fall|autumn|spring|summer|winter)",
        r"won't",
        r"plans? to",
        r"planning to",
        r"planned",
        r"expects?",
        r"this quarter",
        r"(?<!than )(?<!than-)(?<!as )expected",
        r"is set to",
        r"are set to",
        r"scheduled",
        r"upcoming",
        r"forthcoming",
        r"later this (?:year|month|week|quarter|spring|summer|fall|autumn|winter)",
        r"(?<!the )next (?:year|month|week|quarter|spring|summer|fall|autumn|winter)",
        r"in the coming (?:weeks|months|years|days)",
        r"by the end of",
        r"starting (?:in|on|from|next|today)",
        r"available (?:from|in|on|starting|later|next|to|for|now|today)",
        r"coming soon",
        r"rolling out",
        r"roll out",
        r"pending",
        r"awaits?",
        r"awaiting",
        r"yet to",
        r"not yet",
        r"(?:not|\w+n't|\w+n’t) (?:\w+ ){1,3}yet",
        r"being investigated",
        r"(?:did|does|do|has|have) not (?:yet )?(?:say|said|disclose|disclosed|reveal|revealed"
        r"|specify|specified|decide|decided) (?:when|whether|how|if|where)",
        r"declined (?:\w+ )?to (?:say|state|specify|disclose) (?:when|whether|how|if)",
        # A start said with a modal and a date: "missions could begin in 2022" (the year
        # alone is as often the past).
        r"(?:could|would|may|might|should) (?:(?!have\b)[\w-]+ ){0,3}?(?:begin|start|launch"
        r"|open|arrive|ship|resume|be ready|be available|go on sale|take place)"
        rf" (?:[\w-]+ ){{0,4}}?(?:in|by|from|on|as soon as)"
        rf" (?:20\d\d|{_MONTH}|next|early|late|mid)",
        r"(?:no|without) (?:details?|word) (?:on|about) (?:when|timing|the timing|pricing|price)",
        r"as yet",
        r"(?:is|are|was|were|seems?) (?:likely|unlikely) to",
        r"will likely",
        r"(?:seeks?|seeking|looks?|looking|aiming|wants?) to",
        r"considering(?! that)",
        r"weighing",
        r"in talks",
        r"negotiations?",
        r"bid(?:ding)? (?:for|to)",
        r"investigation is (?:ongoing|continuing)",
        r"ongoing",
        r"(?:remains?|is|are|still) (?:unclear|uncertain|undecided)",
        r"(?:it is|it's|it’s) (?:not )?(?:yet )?(?:unclear|not clear)",
        r"no (?:date|timeline|timetable|release date)",
        r"ahead of",
        r"next (?:season|round|game|match|step|steps|phase|generation|version|meeting|election)",
        r"looking forward to",
        # An outlook without a date: "more deals going forward", "still in the early days".
        r"going forward",
        r"down the road",
        r"in the (?:long|longer|short|near) (?:run|term)",
        r"(?:only )?(?:just )?beginning to (?:understand|learn|see|grasp|explore)",
        r"(?:still )?in (?:the|its|their) (?:very )?early (?:days|stages?)",
        r"has not (?:yet )?(?:said|decided|announced|disclosed)",
        r"deadline",
        r"is due",
        r"are due",
        r"intends? to",
        r"going to",
        r"in (?:early|mid|late)[- ]20\d\d",
        r"Q[1-4] 20\d\d",
        r"in 20[3-9]\d|in 202[7-9]",
        rf"(?:from|by|until|starting) {_MONTH}",
        # A scheduled event in the present tense: "the card ships in March" (a bare
        # "in January" is as often the past).
        r"(?:ships|launches|arrives|opens|starts|begins|goes on sale|rolls out|comes|lands"
        rf"|hits|returns|debuts) (?:[\w-]+ ){{0,3}}?(?:in|on) {_MONTH}",
        r"remains to be seen",
        # A hearing or a vote still to come ("the later hearing" was one held).
        r"(?:a|another|next|further|new|final|upcoming) (?:hearing|vote)",
        r"(?:hearing|vote) (?:is|was) (?:set|scheduled|due|expected)",
        # Likelihood and pending steps: "would probably", "it is likely that", "as soon as",
        # "still needs approval", "subject to approval", "takes effect".
        r"(?:will|would|could) (?:probably|likely)",
        r"probably (?:will|won't|won’t|be|not)",
        r"(?:it is|it's|it’s) (?:likely|unlikely|possible|expected)",
        r"as (?:soon|early) as",
        r"(?:is|are) (?:slated|poised|on track|scheduled|due) (?:to|for)",
        r"(?:still )?(?:needs?|requires?) (?:\w+ )?(?:approval|to be approved|sign-off)",
        r"still (?:needs?|has|have) to",
        r"subject to (?:\w+ )?(?:approval|review)",
        r"(?:takes?|will take|goes?|go|come|comes?) (?:into )?effect",
        r"come into force|comes into force",
        r"(?:is|are) (?:still )?to be (?:\w+ly )?[a-z]{3,}(?:ed|en)",
        rf"(?:next|this coming) (?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"
        rf"|{_MONTH})",
    ),
)

# Weak signs of significance: one alone is no role (a modal verb or a comparison in a
# sentence that tells the event); two count as one cue.
EN_WEAK_MATTERS = re.compile(
    r"\b(?:than|(?:much|far) (?:\w+er|more|less)|lets|helps?|could|would|might|may|key"
    r"|major|marks?|highlights?|reflects?|challenges?|problems?|cheaper|faster|percent"
    r"|gains?|amid|the most)\b|\d(?:[.,]\d+)?\s?%",
    re.IGNORECASE,
)

JA = Cues(
    happened=_chars(
        r"発表した",
        r"発表しました",
        r"を発表",
        r"公開した",
        r"公開しました",
        r"を公開",
        r"発売した",
        r"リリースした",
        r"リリースしました",
        r"開始した",
        r"開始しました",
        r"買収した",
        r"買収を",
        r"調達した",
        r"調達しました",
        r"提携した",
        r"締結",
        r"明らかにした",
        r"明らかにしました",
        r"発表によると",
        r"導入した",
        r"開発した",
        r"投入した",
        r"[0-9０-９]+日[、,]",
        r"した。",
        r"しました。",
    ),
    matters=_chars(
        r"意味",
        r"ため",
        r"初めて",
        r"初の",
        r"比べ",
        r"比較",
        r"可能に",
        r"可能と",
        r"により",
        r"によって",
        r"ことで",
        r"重要",
        r"大幅",
        r"影響",
        r"期待",
        r"懸念",
        r"課題",
        r"倍",
        r"[0-9０-９]+(?:%|％)",
        r"最大",
        r"最も",
        r"上回",
        r"向上",
        r"削減",
        r"できる",
        r"狙い",
        r"背景",
        r"過去最",
        r"史上",
        r"以来",
        r"初となる",
        r"を受け",
        r"の一環",
    ),
    watch=_chars(
        r"予定",
        r"今後",
        r"見込み",
        r"見通し",
        r"方針",
        r"計画",
        r"来年",
        r"来月",
        r"来週",
        r"年内",
        r"年末",
        r"検討",
        r"目指す",
        r"目標",
        r"予想",
        r"提供を開始する",
        r"開始する",
        r"始める",
        r"するという",
        r"[0-9０-９]+月(?:から|以降|中|末|まで)",
        r"以降",
        r"未定",
        r"注目",
        r"を控え",
        r"次期",
        r"順次",
        r"[今来][春夏秋冬]",
        r"年度内",
        r"来期",
        r"審議",
        r"承認を待",
    ),
)

ZH = Cues(
    happened=_chars(
        r"宣布",
        r"发布了",
        r"發布了",
        r"发布",
        r"發布",
        r"推出",
        r"公布",
        r"上线了",
        r"上線了",
        r"收购",
        r"收購",
        r"完成",
        r"获得",
        r"獲得",
        r"签署",
        r"簽署",
        r"表示",
        r"透露",
        r"披露",
        r"开源了",
        r"開源了",
        r"开源",
        r"開源",
        r"[0-9]+日",
        r"近日",
        r"今天",
        r"昨日",
    ),
    matters=_chars(
        r"首次",
        r"首个",
        r"首個",
        r"第一",
        r"因为",
        r"因為",
        r"因此",
        r"由于",
        r"由於",
        r"意味着",
        r"意味著",
        r"相比",
        r"相較",
        r"比[^，。]{0,10}(?:更|高|快|低|强|強)",
        r"使得",
        r"能够",
        r"能夠",
        r"有助于",
        r"有助於",
        r"重要",
        r"影响",
        r"影響",
        r"最大",
        r"提升",
        r"降低",
        r"倍",
        r"[0-9]+(?:%|％)",
        r"标志",
        r"標誌",
        r"以便",
        r"从而",
        r"從而",
        r"历史",
        r"歷史",
        r"创纪录",
        r"創紀錄",
        r"创下",
        r"創下",
        r"以来",
        r"以來",
        r"一环",
        r"一環",
        r"背景下",
    ),
    watch=_chars(
        r"将",
        r"將",
        r"计划",
        r"計劃",
        r"预计",
        r"預計",
        r"即将",
        r"即將",
        r"明年",
        r"年底",
        r"年内",
        r"年內",
        r"未来",
        r"未來",
        r"今后",
        r"今後",
        r"有望",
        r"拟",
        r"擬",
        r"下[个個]?月",
        r"后续",
        r"後續",
        r"[0-9]+月(?:起|开始|開始|上线|上線)",
        r"尚未",
        r"仍待",
        r"有待",
        r"待定",
        r"下一步",
        r"预期",
        r"預期",
        r"下半年",
        r"尚需",
        r"仍需",
        r"还需",
        r"還需",
        r"审议",
        r"審議",
    ),
)

KO = Cues(
    happened=_chars(
        r"발표했다",
        r"발표했습니다",
        r"공개했다",
        r"공개했습니다",
        r"출시했다",
        r"출시했습니다",
        r"밝혔다",
        r"인수했다",
        r"유치했다",
        r"체결했다",
        r"선보였다",
    ),
    matters=_chars(
        r"때문",
        r"의미",
        r"처음",
        r"최초",
        r"비해",
        r"비교",
        r"가능",
        r"중요",
        r"영향",
        r"덕분",
        r"배",
        r"[0-9]+%",
        r"사상 최",
        r"역대",
        r"이후 처음",
        r"일환",
    ),
    watch=_chars(
        r"예정",
        r"계획",
        r"할 것",
        r"전망",
        r"내년",
        r"다음 달",
        r"연내",
        r"앞으로",
        r"향후",
        r"검토",
        r"방침",
        r"추진",
        r"앞두고",
        r"것으로 보인다",
        r"것으로 예상",
    ),
)

TH = Cues(
    happened=_chars(r"ประกาศ", r"เปิดตัว", r"เปิดเผย", r"เข้าซื้อ", r"ระดมทุน", r"ได้รับ"),
    matters=_chars(
        r"เพราะ",
        r"หมายความ",
        r"ครั้งแรก",
        r"เทียบกับ",
        r"ทำให้",
        r"สำคัญ",
        r"ส่งผล",
        r"ประวัติการณ์",
        r"สูงสุด",
    ),
    watch=_chars(
        r"จะ",
        r"วางแผน",
        r"คาดว่า",
        r"ปีหน้า",
        r"เดือนหน้า",
        r"ในอนาคต",
        r"กำหนด",
        r"เตรียม",
        r"มีแผน",
        r"ภายในปี",
    ),
)

ES = Cues(
    happened=_words(
        r"anunció",
        r"lanzó",
        r"presentó",
        r"publicó",
        r"adquirió",
        r"compró",
        r"recaudó",
        r"firmó",
        r"ha (?:lanzado|anunciado|presentado|publicado|adquirido)",
        r"anuncia",
        r"lanza",
        r"presenta",
        r"dijo",
        r"afirmó",
    ),
    matters=_words(
        r"porque",
        r"debido a",
        r"lo que significa",
        r"significa",
        r"por primera vez",
        r"el primero",
        r"la primera",
        r"en comparación",
        r"que (?:el|la|los|las)",
        r"permite",
        r"permitirá",
        r"podría",
        r"importante",
        r"clave",
        r"más (?:rápido|barato|grande)",
        r"\d+(?:,\d+)?\s?%",
        r"histórica?",
        r"sin precedentes",
        r"récord",
        r"por primera vez desde",
        r"en un intento de",
        r"como parte de",
        r"(?:se produce|llega) (?:tras|después de|en medio de)",
    ),
    watch=_words(
        r"será",
        r"serán",
        r"estará",
        r"llegará",
        r"planea",
        r"prevé",
        r"se espera",
        r"a partir de",
        r"próximo",
        r"próxima",
        r"el año que viene",
        r"a finales de",
        r"aún no",
        r"todavía no",
        r"(?:está|están) previst[oa]s?",
        r"tiene previsto",
        r"se prevé",
        r"pendiente",
        r"(?:aún|todavía) debe",
        r"a la espera de",
        r"\w+rá",
        r"\w+rán",
    ),
)

FR = Cues(
    happened=_words(
        r"a annoncé",
        r"a lancé",
        r"a présenté",
        r"a publié",
        r"a dévoilé",
        r"a racheté",
        r"a levé",
        r"a signé",
        r"ont annoncé",
        r"annonce",
        r"lance",
        r"dévoile",
        r"présente",
        r"a déclaré",
        r"a indiqué",
    ),
    matters=_words(
        r"parce que",
        r"car",
        r"en raison de",
        r"ce qui signifie",
        r"signifie",
        r"pour la première fois",
        r"le premier",
        r"la première",
        r"par rapport",
        r"que (?:le|la|les)",
        r"permet",
        r"permettra",
        r"pourrait",
        r"important",
        r"clé",
        r"plus (?:rapide|grand|puissant)",
        r"\d+(?:,\d+)?\s?%",
        r"historique",
        r"sans précédent",
        r"record",
        r"pour la première fois depuis",
        r"dans le but de",
        r"afin de",
        r"dans le cadre d[eu']",
        r"intervient (?:après|alors que|dans un contexte)",
    ),
    watch=_words(
        r"sera",
        r"seront",
        r"prévoit",
        r"devrait",
        r"devraient",
        r"à partir d[eu]",
        r"prochain",
        r"prochaine",
        r"l'année prochaine",
        r"d'ici",
        r"pas encore",
        r"(?:est|sont) prévue?s?",
        r"doit encore",
        r"en attente",
        r"(?:est|sont) attendue?s?",
        r"\w+ront",
    ),
)

DE = Cues(
    happened=_words(
        r"hat (?:\w+ )*(?:angekündigt|vorgestellt|veröffentlicht|gestartet|übernommen"
        r"|eingesammelt|unterzeichnet)",
        r"kündigte",
        r"stellte",
        r"veröffentlichte",
        r"übernahm",
        r"startete",
        r"sammelte",
        r"präsentierte",
        r"teilte mit",
        r"sagte",
        r"kündigt",
        r"stellt",
    ),
    matters=_words(
        r"weil",
        r"da",
        r"aufgrund",
        r"bedeutet",
        r"erstmals",
        r"zum ersten Mal",
        r"im Vergleich",
        r"als (?:die|der|das|bisher)",
        r"ermöglicht",
        r"könnte",
        r"wichtig",
        r"entscheidend",
        r"schneller",
        r"günstiger",
        r"\d+(?:,\d+)?\s?%",
        r"Prozent",
        r"historisch(?:e[nmrs]?)?",
        r"beispiellos(?:e[nmrs]?)?",
        r"Rekord\w*",
        r"(?:erstmals|zum ersten Mal) seit",
        r"kommt (?:kurz )?(?:nach|inmitten)",
        r"im Rahmen",
        r"um (?:\w+ ){1,4}zu",
    ),
    watch=_words(
        r"wird",
        r"werden",
        r"plant",
        r"soll",
        r"sollen",
        r"voraussichtlich",
        r"ab (?:sofort|dem|Januar|Februar|März|April|Mai|Juni|Juli|August|September"
        r"|Oktober|November|Dezember|\d)",
        r"nächste[nmsr]?",
        r"im kommenden",
        r"bis Ende",
        r"noch nicht",
        r"steht noch aus",
        r"muss noch",
        r"geplant",
        r"erwartet",
        r"künftig",
        r"demnächst",
        r"in Zukunft",
    ),
)

CUES: dict[str, Cues] = {
    "en": EN,
    "ja": JA,
    "zh": ZH,
    "ko": KO,
    "th": TH,
    "es": ES,
    "fr": FR,
    "de": DE,
}

# A cue that appears several times is stronger, but one long sentence must not win a role
# on repetition alone.
_CUE_CAP = 3


# Languages told apart so that their sentences get no role: no cues are written for them,
# and English cues matching a Portuguese or Indonesian sentence by accident ("de", "a")
# would fill a part with a sentence nobody read as playing that role.
NO_CUES = "other"


def cue_family(sentence: str, declared: str = "en") -> str:
    """The key of :data:`CUES` for ``sentence`` (:data:`NO_CUES` for a language without
    cues): by script, else by function words, else by the declared language (a key of
    :data:`CUES`, or the family :func:`text_family` found for the whole article)."""
    if _KANA.search(sentence):
        return "ja"
    if _HANGUL.search(sentence):
        return "ko"
    if _THAI.search(sentence):
        return "th"
    if len(_HAN.findall(sentence)) >= 4:
        return "zh"
    if _OTHER_SCRIPT.search(sentence):
        return NO_CUES
    base = declared.split("-", 1)[0].lower()
    found = _latin_family(sentence)
    if found is not None:
        return found if found in CUES else NO_CUES
    return base if base in CUES or base == NO_CUES else "en"


def text_family(text: str, declared: str = "en") -> str:
    """The cue family of a whole article (its first few thousand characters): what its
    short sentences, too short to tell, are read as."""
    head = text[:3000]
    family = cue_family(head, declared)
    if family == NO_CUES or family not in ("en", "es", "fr", "de"):
        return family
    return family if _latin_family(head) is not None or len(head) < 200 else NO_CUES


def _vocab(words: str) -> frozenset[str]:
    return frozenset(words.split())


# Function words that tell the Latin-script languages apart within one sentence; pt, it,
# nl and id are here to be recognised, and get no role.
_FUNCTION_WORDS: dict[str, frozenset[str]] = {
    "en": _vocab("the and of to is was with for that in on are by"),
    "de": _vocab("der die das und ist mit für nicht ein eine auf wir sie den dem im"),
    "es": _vocab("el la los las y que es con para una por del se en"),
    "fr": _vocab("le la les et est des une pour que dans sur avec du au"),
    "pt": _vocab("os não uma um do da dos das em com é ao pelo pela você também"),
    "it": _vocab("il di che è non una per gli della del sono con nel alla anche"),
    "nl": _vocab("de het een van en is dat niet op zijn voor met ook"),
    "id": _vocab("yang dan di ini itu dengan untuk tidak dari dalam akan ke ada kita"),
}
_LATIN_WORD = re.compile(r"[^\W\d_]+")
# Cyrillic, Greek, Arabic, Hebrew, Devanagari: scripts of languages without cues.
_OTHER_SCRIPT = re.compile("[\u0370-\u03ff\u0400-\u04ff\u0590-\u06ff\u0900-\u097f]{3}")


def _latin_family(sentence: str) -> str | None:
    """The Latin-script language whose function words the sentence uses most (two at
    least), else None."""
    words = [w.lower() for w in _LATIN_WORD.findall(sentence)]
    hits = {lang: sum(w in vocab for w in words) for lang, vocab in _FUNCTION_WORDS.items()}
    lang, count = max(hits.items(), key=lambda item: (item[1], item[0] == "en"))
    return lang if count >= 2 else None


# Sentences spoken to the reader or by the writer (outside quotation marks) are advice,
# reviews and asides ("You'll save $250", "I think", "so be sure to look out for deals",
# "It will end very soon so hurry!"), not a news story's parts.
_QUOTED = re.compile(r"[\"“”][^\"“”]*[\"“”]")
_YOU = r"[Yy]ou(?:'ll|'re|'ve|’ll|’re|’ve)?|[Yy]our"
_PERSONAL = re.compile(
    rf"\b(?:{_YOU}|I|I'm|I’m|I've|I’ve|[Mm]y|me)\b"
    r"|\b(?:[Bb]e sure to|[Mm]ake sure to|[Dd]on['’]t miss|[Hh]urry)\b|!\W*$"
)
_SECOND_PERSON = re.compile(rf"\b(?:{_YOU})\b")
# A quoted title ('his book "Financial Freedom: A Proven Path to All the Money You Will
# Ever Need"') is a name: its words are no cues.
_QUOTED_TITLE = re.compile(
    r"[\"“](?:[A-Z0-9][\w'’.:&-]*,? (?:(?:a|an|the|of|to|for|and|in|on)"
    r" )?){2,}[A-Z0-9][\w'’.&-]*[,.!?]?[\"”]"
)


def personal(sentence: str) -> bool:
    """True when a Latin-script sentence addresses the reader, speaks as "I" or exclaims
    outside quotation marks."""
    return bool(_PERSONAL.search(_QUOTED.sub(" ", sentence)))


def role_cues(sentence: str, family: str) -> dict[Role, int]:
    """How many cues of each role ``sentence`` carries (capped), in cue family ``family``
    (none for a language without cues, or a sentence in the reader's or writer's voice)."""
    cues = CUES.get(family)
    latin = family in ("en", "es", "fr", "de")
    if cues is None or (latin and personal(sentence)):
        return {role: 0 for role in ROLES}
    if latin:
        sentence = _QUOTED_TITLE.sub('"…"', sentence)
    counts = {role: len(cues.pattern(role).findall(sentence)) for role in ROLES}
    if family == "en":
        counts["matters"] += len(EN_WEAK_MATTERS.findall(sentence)) // 2
        if _EN_PRONOUN_START.match(sentence):
            counts["happened"] = 0  # "He said it would ...": a detail of an event told before
    if latin and _ASIDE.match(sentence):
        return {role: 0 for role in ROLES}  # an aside in brackets
    if latin and speech(sentence):
        return _quoted_outlook(sentence, family)  # what someone said
    return {role: min(_CUE_CAP, n) for role, n in counts.items()}


# A quotation followed by who said it: '"...," Petrides said.', '"...," said a manager'.
_ATTRIBUTED = re.compile(
    r"[\"”],?\s+(?:[\w.'’-]+\s+){1,6}?(?:said|says|told|added|noted|predicted|wrote"
    r"|explained|tweeted)\b|[\"”],?\s+(?:said|says|added|noted|predicted|explained)\s+\w"
)

# The future tense alone: in a quotation it is as often a boast or a promise ("we will
# win") as an outlook.
_BARE_FUTURE = frozenset({"will", "'ll", "’ll"})


def quote_piece(sentence: str) -> bool:
    """True when a sentence is a piece of a longer quotation, no statement of its own: it
    leaves a quotation open ('“Yes, we needed to win this game.', 'He said: “We won.') or
    closes one it did not open ('... need some help.”'), or it is a quotation that never
    says who spoke."""
    if _unclosed(sentence):
        return True
    return sentence.lstrip("([ ")[:1] in _QUOTE_MARKS and not _ATTRIBUTED.search(sentence)


def _quoted_outlook(sentence: str, family: str) -> dict[Role, int]:
    """The cues of a quotation: none, except what to watch when an English sentence is a
    whole quotation with its speaker named and a forward cue stronger than "will" (an
    analyst's "I would expect more deals going forward," X said)."""
    counts: dict[Role, int] = {role: 0 for role in ROLES}
    if family != "en" or _unclosed(sentence) or not _ATTRIBUTED.search(sentence):
        return counts  # a piece of a quotation, or nobody named
    if _SECOND_PERSON.search(sentence):
        return counts  # advice to the reader, quoted ("you need a plan for the future")
    forward = [m for m in EN.watch.findall(sentence) if m.lower() not in _BARE_FUTURE]
    counts["watch"] = min(_CUE_CAP, len(forward))
    return counts


_ASIDE = re.compile(r"^\([^()]*\)?[.!?]?\)?$")


_INTERVIEW = re.compile(r"[QA]:\s")  # "A: Broncos vs. Raiders ...": an interview's answer
_EN_PRONOUN_START = re.compile(r"(?:He|She|It|They|This|That|These|Those|Its|His|Her) ")
_QUOTE_MARKS = '"“”«»„'


def _unclosed(sentence: str) -> bool:
    """True when a sentence leaves a quotation mark open (an odd number of them)."""
    return sum(sentence.count(m) for m in _QUOTE_MARKS) % 2 == 1


def inside_quotation(paragraph: Sequence[str]) -> list[bool]:
    """For each sentence of one paragraph, True when it begins inside a quotation that an
    earlier sentence opened and left open ('“South Dakota has a problem. | There isn’t a
    single solution because meth is widespread.': the second is the speaker's words, not
    the writer's, though it carries no quotation mark)."""
    flags: list[bool] = []
    open_quote = False
    for sentence in paragraph:
        flags.append(open_quote)
        if _unclosed(sentence):
            open_quote = not open_quote
    return flags


def speech(sentence: str) -> bool:
    """True when a Latin-script sentence is a quotation: it opens with a quotation mark,
    holds an unclosed one (a piece of a longer quote), or is mostly inside quotes."""
    stripped = sentence.lstrip("([ ")
    if stripped[:1] in _QUOTE_MARKS or stripped[:1] in "‘'" or _INTERVIEW.match(stripped):
        return True
    if _unclosed(sentence):
        return True
    quoted = sum(len(m) for m in _QUOTED.findall(sentence))
    return quoted > 0.5 * len(sentence)


def dominant(counts: dict[Role, int], role: Role) -> bool:
    """True when ``role`` has a cue and no other role has two or more cues more.

    A sentence may carry two roles ("X launched Y on Monday and will open it to all in
    May"); the writer's joint choice then decides which part it fills."""
    mine = counts[role]
    return mine > 0 and all(mine >= n - 1 for other, n in counts.items() if other != role)


# -- questions a sentence answers ------------------------------------------------------
#
# The FAQ rule: a question is asked only from a template (core.i18n.FAQ_QUESTIONS) whose
# answer is one whole quoted sentence that names the question's subject as its grammatical
# subject and carries the fact asked for:
# - "When will X be available?": X (a name) will be / is set to be available, launch, ship
#   or roll out, and the sentence holds a date or time ("in March", "next year", 来月, 明年);
# - "How much did X raise?": X raised / secured an amount of money (a currency and a
#   number; 億円, 亿美元) in a funding round;
# - "What is X?": "X is a/an <category noun> ..." (company, model, tool, chip, lab ...;
#   の企業です, 是一家公司), so an opinion ("X is a big winner") is never taken for a
#   definition.
# Only en, ja and zh sentences are recognised; other languages get no FAQ rather than a
# question in the wrong language.

_EN_NAME = r"(?P<x>(?:The )?[A-Z][\w.+&'-]*(?: (?:[A-Z0-9][\w.+&'-]*|of|for|and))*?)"
_EN_PRONOUNS = {
    "It",
    "This",
    "That",
    "They",
    "We",
    "He",
    "She",
    "There",
    "These",
    "Those",
    "Its",
    "Our",
    "The",
    "A",
    "An",
    "But",
    "And",
    "So",
    "Now",
    "Here",
    "I",
    "You",
}
_EN_DATE = re.compile(
    rf"\b(?:{_MONTH}|20\d\d|Q[1-4]|today|tomorrow|next (?:week|month|year|quarter)"
    rf"|later this (?:year|month|week|quarter)|this (?:spring|summer|fall|autumn|winter)"
    rf"|{_WEEKDAY}|in the coming (?:weeks|months))\b"
)
_EN_AVAILABLE = re.compile(
    rf"^{_EN_NAME},? (?:will (?:be (?:generally |widely |broadly )?available|launch|ship"
    r"|roll out|arrive|go on sale|become available)|(?:is|are) (?:set|scheduled|expected|due)"
    r" to (?:launch|ship|arrive|roll out|be available|become available|go on sale)"
    r"|(?:is|are|becomes|become) (?:now )?(?:generally |widely |broadly )?available)\b"
)
_EN_RAISED = re.compile(
    rf"^{_EN_NAME},?(?: [^,]{{1,60}},)? (?:has |have )?(?:raised|raises|secured|secures"
    r"|closed|closes)\b[^.]{0,40}?(?:US)?[$€£]\s?\d[\d.,]*\s?(?:million|billion|bn|m|b)?\b"
)
_EN_WHAT_IS = re.compile(
    rf"^{_EN_NAME},? (?:is|are) (?:a|an) (?:[\w-]+ ){{0,6}}?(?:company|startup|start-up|firm"
    r"|model|models|tool|platform|service|framework|library|chip|chipmaker|lab|laboratory"
    r"|system|app|application|benchmark|dataset|agent|assistant|method|technique|protocol"
    r"|standard|organi[sz]ation|nonprofit|non-profit|institute|project|device|processor"
    r"|accelerator|network|programme|program|initiative|regulation|law|bill|fund|university"
    r"|architecture|algorithm|engine|robot|product|suite|API|SDK|family|maker|developer"
    r"|provider|chatbot|language)\b"
)

_JA_NAME = r"^(?P<x>[^、。はがを「」『』（）()\s]{2,30})は、?"
_JA_AVAILABLE = re.compile(
    _JA_NAME + r"[^。]*(?:[0-9０-９]+月|年内|来年|来月|来週|今夏|今秋|今冬|今春|[0-9０-９]+日)"
    r"[^。]*(?:提供|発売|公開|開始|利用可能|利用でき|リリース|展開)"
)
_JA_RAISED = re.compile(
    _JA_NAME + r"[^。]*[0-9０-９][0-9０-９,.，]*(?:億|万)?(?:円|ドル|米ドル|ユーロ)[^。]*調達"
)
_JA_WHAT_IS = re.compile(
    _JA_NAME + r"[^。]{2,80}(?:企業|会社|スタートアップ|モデル|サービス|ツール|プラットフォーム"
    r"|チップ|研究所|機関|団体|システム|アプリ|技術|手法|規格|組織|大学|製品|半導体|メーカー)"
    r"(?:である|です)。?$"
)

_ZH_NAME = r"^(?P<x>[^，,。、“”「」（）()\s]{2,30}?)"
_ZH_AVAILABLE = re.compile(
    _ZH_NAME + r"(?:将|將|计划|計劃|预计|預計)(?:于|於|在|从|從)?[^。]*"
    r"(?:[0-9]+月|年底|年内|年內|明年|下[个個]?月|今年|[0-9]+日)[^。]*"
    r"(?:上线|上線|推出|发布|發布|开放|開放|提供|发售|發售|上市)"
)
_ZH_RAISED = re.compile(
    _ZH_NAME + r"(?:宣布|今日|近日)?(?:完成|获得|獲得)[^。]*[0-9][0-9.,]*(?:亿|億|万|萬)?"
    r"(?:美元|元|人民币|人民幣)[^。]*(?:融资|融資)"
)
_ZH_WHAT_IS = re.compile(
    _ZH_NAME + r"是(?:一[个個家款种種项項套])[^。]{0,60}?(?:公司|企业|企業|模型|平台|工具|服务"
    r"|服務|芯片|晶片|实验室|實驗室|机构|機構|系统|系統|应用|應用|技术|技術|框架|初创|新創"
    r"|产品|產品|组织|組織)"
)

FAQ_PATTERNS: dict[str, tuple[tuple[str, re.Pattern[str]], ...]] = {
    "en": (("available", _EN_AVAILABLE), ("raised", _EN_RAISED), ("what_is", _EN_WHAT_IS)),
    "ja": (("available", _JA_AVAILABLE), ("raised", _JA_RAISED), ("what_is", _JA_WHAT_IS)),
    "zh": (("available", _ZH_AVAILABLE), ("raised", _ZH_RAISED), ("what_is", _ZH_WHAT_IS)),
}


@dataclass(frozen=True)
class Answer:
    """A sentence that answers one templated question about ``subject``."""

    kind: str  # a key of core.i18n.FAQ_QUESTIONS
    subject: str


def answer_of(sentence: str, family: str) -> Answer | None:
    """The templated question ``sentence`` answers unambiguously, if any (see the rule)."""
    for kind, pattern in FAQ_PATTERNS.get(family, ()):
        found = pattern.search(sentence)
        if not found:
            continue
        subject = found.group("x").strip()
        if family == "en" and subject.startswith("The "):
            subject = "the " + subject[4:]  # "When will the K5 be available?"
        if _honest_subject(subject, family) and _has_fact(kind, sentence, family):
            return Answer(kind=kind, subject=subject)
    return None


def _honest_subject(subject: str, family: str) -> bool:
    if family != "en":
        return 2 <= len(subject) <= 30
    first = subject.split(" ", 1)[0]
    return first not in _EN_PRONOUNS


def _has_fact(kind: str, sentence: str, family: str) -> bool:
    """An availability answer must say when; the other patterns carry their fact."""
    if kind != "available" or family != "en":
        return True
    return bool(_EN_DATE.search(sentence))
