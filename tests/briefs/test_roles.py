"""Role cues and templated questions, sentence by sentence, in the languages served."""

from __future__ import annotations

import pytest

from core.briefs.roles import (
    CUES,
    Role,
    answer_of,
    cue_family,
    dominant,
    inside_quotation,
    quote_piece,
    role_cues,
)
from core.i18n import FAQ_QUESTIONS, LANGUAGES


def role_of(sentence: str, declared: str = "en") -> list[Role]:
    counts = role_cues(sentence, cue_family(sentence, declared))
    return [role for role in counts if dominant(counts, role)]


@pytest.mark.parametrize(
    ("sentence", "declared", "role"),
    [
        ("OpenAI announced a new reasoning model on Thursday.", "en", "happened"),
        ("The startup raised $40 million from investors.", "en", "happened"),
        ("That matters because most of the cost is now inference.", "en", "matters"),
        ("It is the first open model to beat the benchmark.", "en", "matters"),
        ("The company plans to open the API to everyone later this year.", "en", "watch"),
        ("The feature is set to arrive in Europe in March.", "en", "watch"),
        ("ソフトバンクは10日、新会社の設立を発表した。", "ja", "happened"),
        ("処理速度は従来比で3倍となり、コスト削減につながるため注目される。", "ja", "matters"),
        ("同社は今後、海外での提供を予定している。", "ja", "watch"),
        ("百度今天宣布推出新一代文心大模型。", "zh-Hans", "happened"),
        ("这是国内首次有企业开源同等规模的模型。", "zh-Hans", "matters"),
        ("该公司计划明年将服务扩展到海外市场。", "zh-Hans", "watch"),
        ("삼성전자는 새로운 AI 칩을 공개했다.", "ko", "happened"),
        ("회사는 내년에 서비스를 확대할 예정이다.", "ko", "watch"),
        ("La empresa anunció un nuevo modelo de lenguaje.", "es", "happened"),
        ("El servicio estará disponible a partir de junio.", "es", "watch"),
        ("La société a annoncé un nouveau modèle de langage.", "fr", "happened"),
        ("Le service sera disponible à partir de juin.", "fr", "watch"),
        ("Das Unternehmen hat ein neues Sprachmodell vorgestellt.", "de", "happened"),
        ("Der Dienst soll voraussichtlich im Juni starten.", "de", "watch"),
        ("บริษัทวางแผนจะเปิดตัวบริการใหม่ในปีหน้า", "th", "watch"),
    ],
)
def test_sentence_gets_its_role(sentence: str, declared: str, role: Role) -> None:
    assert role in role_of(sentence, declared)


def test_a_plain_description_has_no_role() -> None:
    assert role_of("The weights are stored in a single file.") == []


def test_script_decides_the_cue_family_over_a_wrong_declaration() -> None:
    assert cue_family("研究所は火曜日に重みを公開しました。", "en") == "ja"
    assert cue_family("星河科技今天宣布发布开源大模型。", "en") == "zh"
    assert cue_family("삼성전자는 새로운 AI 칩을 공개했다.", "en") == "ko"
    assert cue_family("Das Unternehmen hat ein neues Modell für die Industrie.", "en") == "de"
    assert cue_family("The lab released a model.", "de") == "de"  # too few function words
    assert set(CUES) == {"en", "ja", "zh", "ko", "th", "es", "fr", "de"}


@pytest.mark.parametrize(
    ("sentence", "family", "kind", "subject"),
    [
        (
            "The Pixel 11 will be available in the US from October 3.",
            "en",
            "available",
            "the Pixel 11",
        ),
        ("Mistral raised $640 million in a Series B round.", "en", "raised", "Mistral"),
        ("Ollama is an open-source tool for running models locally.", "en", "what_is", "Ollama"),
        ("サクラAIは今年、シリーズBで30億円を調達した。", "ja", "raised", "サクラAI"),
        ("新サービスは来月から全国で提供を開始する。", "ja", "available", "新サービス"),
        ("星河科技是一家总部位于杭州的人工智能公司。", "zh", "what_is", "星河科技"),
        ("新版本将于明年3月正式上线。", "zh", "available", "新版本"),
    ],
)
def test_sentence_answers_a_templated_question(
    sentence: str, family: str, kind: str, subject: str
) -> None:
    answer = answer_of(sentence, family)
    assert answer is not None and (answer.kind, answer.subject) == (kind, subject)


@pytest.mark.parametrize(
    ("sentence", "family"),
    [
        ("It will be available in March.", "en"),  # no named subject
        ("The Pixel 11 will be available to more buyers.", "en"),  # no date: not "when"
        ("Apple is a big winner in this market shift.", "en"),  # an opinion, no category
        ("The company raised concerns about safety.", "en"),  # no amount
        ("La empresa es una startup de Madrid.", "es"),  # no template in this language
    ],
)
def test_no_question_without_an_unambiguous_answer(sentence: str, family: str) -> None:
    assert answer_of(sentence, family) is None


def test_question_templates_are_only_in_languages_whose_answers_are_recognised() -> None:
    for entries in FAQ_QUESTIONS.values():
        assert set(entries) == {"en", "ja", "zh-Hans", "zh-Hant"}
        assert set(entries) <= set(LANGUAGES)


def test_a_language_without_cues_gets_no_role_even_when_declared_english() -> None:
    # "Record", an English word in a Portuguese sentence, is an English cue of significance
    sentence = "O disco Record vendeu mais do que o anterior, segundo a gravadora do grupo."
    assert set(role_cues(sentence, cue_family(sentence, "en")).values()) == {0}
    russian = "Игра Skyrim вышла в продажу, и мы хотим увеличить скорость бега героя."
    assert set(role_cues(russian, cue_family(russian, "en")).values()) == {0}


@pytest.mark.parametrize(
    "sentence",
    [
        # what someone said, whole or a piece of a longer quote, is no part's sentence
        '"We will not accept unlawful maritime claims," Esper said in a speech on Monday.',
        "that does become something we'd look at,\" the director said on Tuesday.",
        # an aside in brackets
        "(We never did settle on one, unlike the 565 towns, which will have them soon.)",
        # one modal verb or comparison alone is no sign of significance
        "The top-ranked player may have to sit out the first match.",
        # the writer exclaiming or telling the reader what to do
        "Undoubtedly the sale will end very, very soon so hurry!",
        "More promotions will arrive before the holidays, so be sure to look out for deals.",
        # an interview's answer
        "A: The Broncos game in the record-breaking season, which will stay with me.",
        # a cue word inside a quoted title
        'In his book "A Proven Path to All the Money You Will Ever Need," he shares a formula.',
    ],
)
def test_sentences_that_play_no_role(sentence: str) -> None:
    assert role_of(sentence) == [], role_cues(sentence, "en")


@pytest.mark.parametrize(
    "sentence",
    [
        "The hostages appeared in a video released in January 2017.",  # a past month
        "The next year, the group released two videos of the hostages.",  # told in the past
    ],
)
def test_past_times_are_not_what_to_watch(sentence: str) -> None:
    assert "watch" not in role_of(sentence)


def test_a_pronoun_opening_sentence_is_not_what_happened() -> None:
    # "He said it would ...": a detail of an event told before, without its subject
    assert "happened" not in role_of("He said it would be provided next year, he announced.")
    assert "happened" in role_of("Esper said the ship would be provided, he announced.")


@pytest.mark.parametrize(
    ("sentence", "role"),
    [
        ("That means it isn't detectable through a standard allergy test.", "matters"),
        ("Peace would allow for the eventual withdrawal of US troops.", "matters"),
        ("The swap raised hopes of a breakthrough in stalled talks.", "matters"),
        ("The company did not say when the model would reach Europe.", "watch"),
        ("As yet, there is no evidence linking the third case to the first two.", "watch"),
        ("Its forces are likely to remain in the country for several more years.", "watch"),
        ("Slowing the metabolism of humans isn't possible yet, researchers said.", "watch"),
    ],
)
def test_more_english_cues(sentence: str, role: Role) -> None:
    assert role in role_of(sentence)


# -- cues added 2026-12-03: each with a sentence that must get its role and a near miss --

NEW_CUES: list[tuple[str, str, Role, str]] = [
    # (sentence with the cue, declared language, its role, a near miss without that role)
    # -- fourth round, 2026-12-04 --
    (
        "Two senators criticised the company and the effect big buyers have on artists.",
        "en",
        "matters",
        "Two senators visited the company and met its artists.",
    ),
    (
        "The deal is expected to close next year, the company said.",
        "en",
        "watch",
        "The deal closes this year's run of acquisitions, the company said.",
    ),
    # -- third round, 2026-12-04 --
    (
        "Analysts expect more acquisitions like this going forward.",
        "en",
        "watch",
        "Analysts counted more acquisitions like this last year.",
    ),
    (
        "The researchers caution that the work is still in the very early days.",
        "en",
        "watch",
        "The researchers caution that the work took many days.",
    ),
    (
        "Scientists are only just beginning to understand the cells.",
        "en",
        "watch",
        "Scientists understand the cells well.",
    ),
    (
        "The loss left the team's playoff hopes somewhere between slim and none.",
        "en",
        "matters",
        "The loss left the team somewhere in the middle of the table.",
    ),
    (
        "Shares closed at their highest level since 2008 after the ruling.",
        "en",
        "matters",
        "Shares closed at $41 after the ruling.",
    ),
    (
        "It was the club's first league title since 1995.",
        "en",
        "matters",
        "It was the club's league title.",
    ),
    (
        "The transfer makes him the most expensive goalkeeper in history.",
        "en",
        "matters",
        "The goalkeeper joined the club from Bilbao.",
    ),
    (
        "The move comes a week after regulators opened an inquiry into the firm.",
        "en",
        "matters",
        "The striker came on a week after his injury and scored twice.",
    ),
    (
        "The state launched the campaign in an effort to curb overdose deaths.",
        "en",
        "matters",
        "The state launched the campaign with a series of billboards.",
    ),
    (
        "The ruling could reshape how streaming services license music.",
        "en",
        "matters",
        "The court will hear the streaming case in June.",
    ),
    (
        "Stock markets hit a record high as oil prices fell.",
        "en",
        "matters",
        "The singer left her record label after a long dispute over royalties.",
    ),
    (
        "The sprinter broke the world record in the final.",
        "en",
        "matters",
        "For the record, the sprinter trained in Kenya before the final.",
    ),
    (
        "The deal still needs approval from European regulators.",
        "en",
        "watch",
        "The deal received approval from European regulators.",
    ),
    (
        "More titles are slated to arrive on the service.",
        "en",
        "watch",
        "More titles arrived on the service.",
    ),
    (
        "At 4-7, the team would probably not make the playoffs even if it wins out.",
        "en",
        "watch",
        "At 4-7, the team missed the playoffs.",
    ),
    (
        "Analysts say there’s no reason to think they’ll recover this season.",
        "en",
        "watch",
        "Analysts say there's no reason for the slump.",
    ),
    (
        "The new rules take effect once the governor signs them.",
        "en",
        "watch",
        "The rules were drafted by a small committee.",
    ),
    (
        "The minister said he hoped the talks would lead to a ceasefire.",
        "en",
        "watch",
        "The minister said he hoped for the best and left the talks.",
    ),
    (
        "A final vote is set for Thursday in the lower house.",
        "en",
        "watch",
        "During the later hearing, the envoy testified for four hours.",
    ),
    (
        "The results are to be published in a peer-reviewed journal.",
        "en",
        "watch",
        "The first step is to take inventory of your finances.",
    ),
    (
        "Company officials said crewed missions could begin in 2025 at the earliest.",
        "en",
        "watch",
        "Officials said the attack could have begun in 2016 at the earliest.",
    ),
    (
        "He declined later to state when the lander would be ready.",
        "en",
        "watch",
        "He declined to comment on the lander.",
    ),
    (
        "The acquisition could be the beginning of a new trend for retailers.",
        "en",
        "matters",
        "The acquisition was announced at the beginning of the week.",
    ),
    ("売上高は過去最高を更新した。", "ja", "matters", "売上高は前年並みだった。"),
    ("新機能は今秋から順次提供する。", "ja", "watch", "新機能は先月公開された。"),
    ("该公司营收创下历史新高。", "zh-Hans", "matters", "该公司营收与去年持平。"),
    ("该交易仍需监管机构审议。", "zh-Hans", "watch", "该交易已经获得监管机构批准。"),
    ("회사는 역대 최대 실적을 기록했다.", "ko", "matters", "회사는 실적을 발표했다."),
    ("정부는 규제를 완화할 방침이다.", "ko", "watch", "정부는 규제를 완화했다."),
    (
        "Las ventas alcanzaron un récord en el tercer trimestre.",
        "es",
        "matters",
        "Las ventas se publicaron en el tercer trimestre.",
    ),
    (
        "El lanzamiento está previsto para el verano en toda Europa.",
        "es",
        "watch",
        "El lanzamiento se hizo en el verano en toda Europa.",
    ),
    (
        "Le chiffre d'affaires atteint un niveau historique pour le groupe.",
        "fr",
        "matters",
        "Le chiffre d'affaires du groupe est publié chaque trimestre.",
    ),
    (
        "Le rachat doit encore être validé par les autorités.",
        "fr",
        "watch",
        "Le rachat a été validé par les autorités.",
    ),
    (
        "Der Konzern meldete einen historischen Umsatz im dritten Quartal.",
        "de",
        "matters",
        "Der Konzern meldete seinen Umsatz im dritten Quartal.",
    ),
    (
        "Die Zustimmung der Aufsicht steht noch aus.",
        "de",
        "watch",
        "Die Aufsicht hat der Übernahme zugestimmt.",
    ),
]


@pytest.mark.parametrize(("sentence", "declared", "role", "near_miss"), NEW_CUES)
def test_a_new_cue_gives_its_role(sentence: str, declared: str, role: Role, near_miss: str) -> None:
    assert role in role_of(sentence, declared), role_cues(sentence, cue_family(sentence, declared))


@pytest.mark.parametrize(("sentence", "declared", "role", "near_miss"), NEW_CUES)
def test_the_near_miss_of_a_new_cue_does_not(
    sentence: str, declared: str, role: Role, near_miss: str
) -> None:
    counts = role_cues(near_miss, cue_family(near_miss, declared))
    assert counts[role] == 0, counts


@pytest.mark.parametrize(
    "sentence",
    [
        # told in the past, though the words sound forward
        "At first his doctor suspected bronchitis, and his symptoms did improve soon after.",
        "He set out to learn what the cells do, and he eventually got his answer.",
        "The mice carried more parasites in their guts than expected.",
        "The company reported better-than-expected results for the quarter.",
        "That is in the ballpark considering that street prices fluctuate over time.",
    ],
)
def test_forward_sounding_words_that_are_not_what_to_watch(sentence: str) -> None:
    assert role_cues(sentence, cue_family(sentence, "en"))["watch"] == 0


@pytest.mark.parametrize(
    "sentence",
    [
        '"I would expect more acquisitions like this going forward," Petrides said.',
        "\u201cWe are looking forward to the expansion next year,\u201d said Avinoam Rubinstain.",
    ],
)
def test_a_named_speaker_outlook_is_what_to_watch(sentence: str) -> None:
    # an attributed whole quotation with a forward cue stronger than "will"
    assert role_of(sentence) == ["watch"], role_cues(sentence, "en")


@pytest.mark.parametrize(
    "sentence",
    [
        '"In the end, we will win and save our country," Trump tweeted.',  # a bare "will"
        '"We expect more deals going forward.',  # a piece of a longer quote
        '"You need to make a plan for the future," he told Business Insider.',  # advice
        "\u201cWe expect more deals going forward.\u201d",  # nobody named
    ],
)
def test_other_quotations_play_no_role(sentence: str) -> None:
    assert role_of(sentence) == [], role_cues(sentence, "en")


def test_a_piece_of_a_quotation_is_no_statement_of_its_own() -> None:
    assert quote_piece("\u201cYes, we needed to win this game today.")
    assert quote_piece("Check them out below: \u201cThe show was really great.")
    assert quote_piece("\u201cWe talked all along.\u201d")
    assert not quote_piece('"We talked all along," Lynn said.')
    assert not quote_piece("Lynn said the team needed to win the game.")


def test_sentences_inside_a_quotation_are_told_by_the_open_mark_before_them() -> None:
    paragraph = [
        "Her office said:",
        "\u201cSouth Dakota has a problem.",
        "There isn\u2019t a single solution.",
        "We\u2019re on it.\u201d",
        "The campaign drew attention.",
    ]
    assert inside_quotation(paragraph) == [False, False, True, True, False]
    assert inside_quotation(['"We won," he said.', "They left."]) == [False, False]
