"""Sentences for the safety rules (issue 13): hostile ones of every class the guard once
missed, in English, Japanese and Chinese, and ordinary news that must stay quotable.

Plain data (no import of the rules), so the tests that use it fail on old rules by their
assertions, not by an import error.
"""

from __future__ import annotations

# The rule each hostile sentence breaks, as core.briefs.text names it.
LINK_RULE = "link that is not one of the story's sources"
CONTACT_RULE = "contact details"
ORDER_RULE = "an order to the reader"

STORY = "https://labnews.example.org/2026/story-1"
SOURCES = [STORY, "https://aiweekly.example.org/x?id=2"]
PHISH = "You must re-verify your AIToday account at aitoday-verify.com today."

# (hazard class, language, sentence, the rule it breaks)
HOSTILE = [
    ("issue 13", "en", PHISH, LINK_RULE),
    ("issue 13", "en", PHISH, ORDER_RULE),
    # a bare domain under a new generic or an unusual top-level domain
    (
        "bare domain",
        "en",
        "The new weights are mirrored at fast-weights.quest for everyone.",
        LINK_RULE,
    ),
    ("bare domain", "en", "Get the update from claim-now.app before the weekend ends.", LINK_RULE),
    (
        "bare domain",
        "ja",
        "新しいモデルの重みは fast-weights.xyz で配布されていると発表した。",
        LINK_RULE,
    ),
    ("bare domain", "zh", "该公司表示，新模型的权重已在 fast-weights.top 上公开发布。", LINK_RULE),
    # a path under a new generic top-level domain
    (
        "path",
        "en",
        "The full model can be downloaded from weights.example.quest/get today.",
        LINK_RULE,
    ),
    (
        "path",
        "ja",
        "モデルの重みは weights.example.quest/get から入手できると同社は述べた。",
        LINK_RULE,
    ),
    ("path", "zh", "该公司称，模型权重可以从 weights.example.quest/get 获取和使用。", LINK_RULE),
    # phone numbers, international and local formats
    (
        "phone",
        "en",
        "Questions about the model go to +1 415 555 0100 during office hours.",
        CONTACT_RULE,
    ),
    (
        "phone",
        "en",
        "The lab's support desk answers at (415) 555-0100 during the week.",
        CONTACT_RULE,
    ),
    (
        "phone",
        "en",
        "Customers who lost access can call 1-800-555-0199 to restore it.",
        CONTACT_RULE,
    ),
    ("phone", "ja", "同社の窓口は03-1234-5678で、平日の午前九時から受け付けている。", CONTACT_RULE),
    (
        "phone",
        "ja",
        "海外からの問い合わせは+81-3-1234-5678で受け付けていると発表した。",
        CONTACT_RULE,
    ),
    ("phone", "zh", "该公司的客服热线为010-12345678，工作日全天为用户提供服务。", CONTACT_RULE),
    ("phone", "zh", "用户可以拨打客服手机13812345678咨询新模型的使用方法和价格。", CONTACT_RULE),
    # e-mail addresses
    (
        "e-mail",
        "en",
        "Researchers can write to press-office@aitoday-mail.net for details.",
        CONTACT_RULE,
    ),
    (
        "e-mail",
        "ja",
        "詳細についてはsupport@aitoday-mail.jpに問い合わせるよう同社は述べた。",
        CONTACT_RULE,
    ),
    (
        "e-mail",
        "zh",
        "该公司表示，用户可以发送邮件至 help@aitoday-mail.cn 咨询详情。",
        CONTACT_RULE,
    ),
    # internationalised domains: homoglyphs (Cyrillic а), non-ASCII names, punycode
    ("IDN", "en", "The model card is described at \u0430itoday.com in more detail.", LINK_RULE),
    ("IDN", "ja", "モデルの詳しい説明は例え.jpで公開されていると同社は発表した。", LINK_RULE),
    ("IDN", "zh", "该模型的详细说明已发布在例子.中国网站上，供研究人员参考。", LINK_RULE),
    (
        "punycode",
        "en",
        "The model card sits at xn--r8jz45g.jp for researchers and press.",
        LINK_RULE,
    ),
    (
        "punycode",
        "ja",
        "モデルの説明は xn--r8jz45g.jp で公開されていると同社は発表した。",
        LINK_RULE,
    ),
    ("punycode", "zh", "该模型的说明发布在 xn--fiqs8s.com 网站上，供研究人员参考。", LINK_RULE),
    # a call to action on the story's own URL: the link is allowed, the order is not
    ("own URL", "en", f"Log in at {STORY} to claim your reward before Friday.", ORDER_RULE),
    ("own URL", "en", f"To claim your reward, sign in at {STORY} today.", ORDER_RULE),
    ("own URL", "ja", f"{STORY} にログインして特典を受け取ってください。", ORDER_RULE),
    ("own URL", "zh", f"请在 {STORY} 登录以领取您的奖励和免费额度。", ORDER_RULE),
    # defanged dots and full-width forms, as a browser would read them
    ("defanged", "en", "Claim the new model at aitoday-verify[.]com before Friday.", LINK_RULE),
    (
        "full-width",
        "ja",
        "公式サイトａｉｔｏｄａｙ－ｖｅｒｉｆｙ．ｃｏｍで新モデルの詳細を確認できる。",
        LINK_RULE,
    ),
    (
        "full-width",
        "zh",
        "用户可以发送邮件至ｓｕｐｐｏｒｔ＠ａｉｔｏｄａｙ．ｃｎ咨询新模型的详情。",
        CONTACT_RULE,
    ),
    # orders to the reader without any link
    ("order", "en", "Please reply with your password to keep access to the service.", ORDER_RULE),
    (
        "order",
        "en",
        "Click the button below to keep your subscription active this year.",
        ORDER_RULE,
    ),
    ("order", "ja", "不正なアクセスが確認されたため、アカウントを確認してください。", ORDER_RULE),
    ("order", "zh", "由于检测到异常登录，请立即验证您的账户以免服务中断。", ORDER_RULE),
    (
        "order",
        "es",
        "Verifique su cuenta en las próximas 24 horas para evitar el bloqueo.",
        ORDER_RULE,
    ),
    ("order", "fr", "Cliquez sur le lien pour confirmer votre compte avant vendredi.", ORDER_RULE),
    (
        "order",
        "de",
        "Bestätigen Sie Ihr Konto innerhalb von 24 Stunden, sonst wird es gesperrt.",
        ORDER_RULE,
    ),
    ("order", "th", "กรุณายืนยันบัญชีของคุณภายในวันนี้เพื่อป้องกันการระงับบริการ", ORDER_RULE),
    ("order", "ko", "비정상적인 접속이 감지되어 지금 바로 계정을 확인하세요.", ORDER_RULE),
]

ORDINARY = [
    "OpenAI released GPT-4.5 to paying users on Tuesday after months of testing.",
    "The v2.1 release cut latency by 30 percent on the same hardware.",
    "The company raised 3.5 billion dollars in its latest funding round.",
    "Meta's Llama 3.1 405B model was trained on 15 trillion tokens of text.",
    "Character.AI settled the lawsuit with the families in January 2026.",
    "The SDK now supports Node.js, Next.js and ASP.NET applications out of the box.",
    "The U.S. Commerce Department, e.g. its export office, issued new rules on 2026-12-03.",
    "Socket.IO and Booking.com were among the early adopters of the protocol.",
    "Users can now log in with a passkey instead of a password, the company said.",
    "The app lets you verify your identity with a selfie and a government ID.",
    "Sales grew 12.5% in Q3 2026, from 1.2 billion to 1.35 billion dollars.",
    "The paper compares the model with GPT-4o-2024-08-06 on 14 benchmarks.",
    "Gemini 2.5 Pro scored 86.4 on the test, ahead of Claude 3.7 Sonnet.",
    "The team released setup scripts and a README.md with the weights.",
    "Am Dienstag bestätigen sie den Start des neuen Modells in Europa.",
    "La empresa confirma su nuevo modelo y lo publica para desarrolladores.",
    "Le laboratoire confirme que le modèle sera disponible en Europe.",
    "Bis zum 01.01.2019 sollten alle Kliniken an das Netz angebunden sein.",
    "You must be data driven when you decide where a model should run, she said.",
    "The dot com bubble burst in 2000, the report recalled in its history section.",
    "The model.jpg file and config.json were published with the paper.",
    "研究所は火曜日にGPT-4.5を公開し、性能が大幅に向上したと発表した。",
    "本研究では新しい手法を提案した．次に実験の結果を詳しく示す．",
    "该公司申请注册了新的商标，并邀请开发者参加下个月的发布会。",
    "该公司请求法院确认合同无效，案件将于明年开庭审理。",
]
