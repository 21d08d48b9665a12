"""The language check: script and function words, no model."""

from __future__ import annotations

import pytest

from core.briefs import language
from core.briefs.language import language_problem

SAMPLES = {
    "en": "The lab released a compact open model. It matches larger models on benchmarks.",
    "ja": (
        "研究所が小型のオープンモデルを公開しました。主要なベンチマークで大型モデルに匹敵します。"
    ),
    "zh-Hant": (
        "研究所發布了一個小型開放模型。這個模型在主要基準測試中與大型模型相當，開發者對此很關注。"
    ),
    "zh-Hans": (
        "研究所发布了一个小型开放模型。这个模型在主要基准测试中与大型模型相当，开发者对此很关注。"
    ),
    "ko": "연구소가 소형 오픈 모델을 공개했습니다. 주요 벤치마크에서 대형 모델과 비슷합니다.",
    "th": "ห้องปฏิบัติการเปิดตัวโมเดลแบบเปิดขนาดเล็ก ซึ่งมีประสิทธิภาพใกล้เคียงกับโมเดลขนาดใหญ่",
    "es": (
        "El laboratorio publicó un modelo abierto y compacto. "
        "Es comparable a los modelos más grandes en las pruebas."
    ),
    "fr": (
        "Le laboratoire a publié un modèle ouvert et compact. "
        "Il rivalise avec les grands modèles dans les tests."
    ),
    "de": (
        "Das Labor hat ein kleines offenes Modell veröffentlicht. "
        "Es ist in den Tests mit den großen Modellen vergleichbar."
    ),
}


@pytest.mark.parametrize("lang", sorted(SAMPLES))
def test_each_sample_is_its_own_language_only(lang: str) -> None:
    assert language_problem(SAMPLES[lang], lang) is None
    for other, text in SAMPLES.items():
        if other != lang:
            assert language_problem(text, lang) is not None, (other, lang)


def test_product_names_and_short_text_are_tolerated() -> None:
    assert (
        language_problem("OpenAIがGPT-5を発表しました。性能が大幅に向上したとのことです。", "ja")
        is None
    )
    assert language_problem("GPT-5", "ko") is None


def test_chinese_script_sets_are_disjoint() -> None:
    assert not (language._SIMPLIFIED & language._TRADITIONAL)
    assert len(language._SIMPLIFIED) == len(language._TRADITIONAL)
