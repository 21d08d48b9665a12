"""Briefs: one per story and language, the AIToday format every channel shows.

::

    service.py     brief_for(store, story, language) -> (key, Brief); ensure_briefs(...)
                   fallback_reason(...): why a brief is extractive; rewrite=True
    cache.py       the cache key (article set, writer, prompt version, language), budget
    inputs.py      the story's articles as plain visible text, with source names
    extractive.py  the offline writer: quotes the sources, invents nothing
    llm.py         the LLM writer: litellm Router, fallbacks, timeout, schema, one retry
    prompt.py      rules in the system message, articles as delimited JSON data
    schema.py      BriefDraft (what the model fills), limits, prompt version
    guard.py       every brief is checked here before it is stored
    grounding.py   every number, name and quote a model writes must be in its sources
    language.py    is a text in the language asked for (scripts, function words)
    text.py        hygiene: hidden text, invisibles, mojibake, links, mentions, orders

Storage lives in ``core.store.briefs.BriefRepo``; labels in ``core.i18n``.
"""
