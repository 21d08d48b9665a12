"""A reader's own Atom / JSON feed and the public top-stories feed."""

from __future__ import annotations

LABELS: dict[str, dict[str, str]] = {
    "feed_title": {
        "en": "AIToday · your digests",
        "ja": "AIToday · あなたのダイジェスト",
        "zh-Hant": "AIToday · 你的摘要",
        "zh-Hans": "AIToday · 你的摘要",
        "ko": "AIToday · 나의 다이제스트",
        "th": "AIToday · สรุปข่าวของคุณ",
        "es": "AIToday · tus resúmenes",
        "fr": "AIToday · vos résumés",
        "de": "AIToday · deine Digests",
    },
    "feed_subtitle": {
        "en": "The AIToday digests sent to you, each story with its brief.",
        "ja": "あなたに届いた AIToday のダイジェスト。各ニュースの要約付き。",
        "zh-Hant": "寄給你的 AIToday 摘要，每則新聞附上簡報。",
        "zh-Hans": "发送给你的 AIToday 摘要，每条新闻附带简报。",
        "ko": "회원님께 보낸 AIToday 다이제스트와 기사별 요약입니다.",
        "th": "สรุปข่าว AIToday ที่ส่งถึงคุณ พร้อมบทสรุปของแต่ละข่าว",
        "es": "Los resúmenes de AIToday que te enviamos, cada noticia con su ficha.",
        "fr": "Les résumés AIToday qui vous ont été envoyés, chaque sujet avec sa fiche.",
        "de": "Die AIToday-Digests, die du bekommen hast, jede Meldung mit ihrem Briefing.",
    },
    "feed_top_title": {
        "en": "AIToday · today's top AI stories",
        "ja": "AIToday · 今日の主要AIニュース",
        "zh-Hant": "AIToday · 今日 AI 頭條",
        "zh-Hans": "AIToday · 今日 AI 头条",
        "ko": "AIToday · 오늘의 주요 AI 뉴스",
        "th": "AIToday · ข่าว AI เด่นวันนี้",
        "es": "AIToday · las noticias de IA más destacadas de hoy",
        "fr": "AIToday · les principales actualités de l'IA du jour",
        "de": "AIToday · die wichtigsten KI-Meldungen des Tages",
    },
    "feed_top_subtitle": {
        "en": "The day's top AI stories, each with its brief.",
        "ja": "その日の主要なAIニュースを、要約付きでお届けします。",
        "zh-Hant": "當日最重要的 AI 新聞，每則附上簡報。",
        "zh-Hans": "当天最重要的 AI 新闻，每条附带简报。",
        "ko": "그날의 주요 AI 뉴스를 기사별 요약과 함께 전합니다.",
        "th": "ข่าว AI เด่นประจำวัน พร้อมบทสรุปของแต่ละข่าว",
        "es": "Las noticias de IA más destacadas del día, cada una con su ficha.",
        "fr": "Les principales actualités de l'IA du jour, chacune avec sa fiche.",
        "de": "Die wichtigsten KI-Meldungen des Tages, jede mit ihrem Briefing.",
    },
    "feed_heading": {
        "en": "Your feed",
        "ja": "あなたのフィード",
        "zh-Hant": "你的訂閱源",
        "zh-Hans": "你的订阅源",
        "ko": "나의 피드",
        "th": "ฟีดของคุณ",
        "es": "Tu feed",
        "fr": "Votre flux",
        "de": "Dein Feed",
    },
    "feed_help": {
        "en": "Read your digests in any feed reader. Keep this address to yourself: "
        "whoever has it can read your digests.",
        "ja": "お好きなフィードリーダーでダイジェストを読めます。このアドレスは他人に"
        "教えないでください。知っている人は誰でもあなたのダイジェストを読めます。",
        "zh-Hant": "用任何 RSS 閱讀器閱讀你的摘要。請勿公開這個網址：擁有它的人都能讀到你的摘要。",
        "zh-Hans": "用任何 RSS 阅读器阅读你的摘要。请勿公开这个网址：拥有它的人都能读到你的摘要。",
        "ko": "원하는 피드 리더에서 다이제스트를 읽을 수 있습니다. 이 주소는 공유하지 마세요. "
        "주소를 아는 사람은 누구나 다이제스트를 읽을 수 있습니다.",
        "th": "อ่านสรุปข่าวของคุณในโปรแกรมอ่านฟีดใดก็ได้ โปรดเก็บที่อยู่นี้ไว้เป็นความลับ "
        "ใครที่มีที่อยู่นี้จะอ่านสรุปข่าวของคุณได้",
        "es": "Lee tus resúmenes en cualquier lector de feeds. No compartas esta dirección: "
        "quien la tenga puede leer tus resúmenes.",
        "fr": "Lisez vos résumés dans n'importe quel lecteur de flux. Gardez cette adresse "
        "pour vous : quiconque la possède peut lire vos résumés.",
        "de": "Lies deine Digests in jedem Feedreader. Behalte diese Adresse für dich: "
        "Wer sie hat, kann deine Digests lesen.",
    },
    "feed_atom": {
        "en": "Atom feed",
        "ja": "Atom フィード",
        "zh-Hant": "Atom 訂閱源",
        "zh-Hans": "Atom 订阅源",
        "ko": "Atom 피드",
        "th": "ฟีด Atom",
        "es": "Feed Atom",
        "fr": "Flux Atom",
        "de": "Atom-Feed",
    },
    "feed_json": {
        "en": "JSON Feed",
        "ja": "JSON フィード",
        "zh-Hant": "JSON 訂閱源",
        "zh-Hans": "JSON 订阅源",
        "ko": "JSON 피드",
        "th": "ฟีด JSON",
        "es": "Feed JSON",
        "fr": "Flux JSON",
        "de": "JSON-Feed",
    },
    "feed_new": {
        "en": "New feed address",
        "ja": "フィードのアドレスを新しくする",
        "zh-Hant": "產生新的訂閱網址",
        "zh-Hans": "生成新的订阅网址",
        "ko": "새 피드 주소 만들기",
        "th": "สร้างที่อยู่ฟีดใหม่",
        "es": "Nueva dirección del feed",
        "fr": "Nouvelle adresse du flux",
        "de": "Neue Feed-Adresse",
    },
    "feed_new_help": {
        "en": "Shared it by mistake? A new address stops the old one at once.",
        "ja": "うっかり共有してしまった場合は、新しいアドレスにすると"
        "古いアドレスはすぐに使えなくなります。",
        "zh-Hant": "不小心分享出去了？產生新網址後，舊網址會立即失效。",
        "zh-Hans": "不小心分享出去了？生成新网址后，旧网址会立即失效。",
        "ko": "실수로 공유하셨나요? 새 주소를 만들면 이전 주소는 즉시 작동하지 않습니다.",
        "th": "เผลอแชร์ไปแล้วใช่ไหม สร้างที่อยู่ใหม่แล้วที่อยู่เดิมจะใช้ไม่ได้ทันที",
        "es": "¿La compartiste por error? Una dirección nueva anula la anterior al instante.",
        "fr": "Partagée par erreur ? Une nouvelle adresse désactive aussitôt l'ancienne.",
        "de": "Versehentlich geteilt? Eine neue Adresse macht die alte sofort ungültig.",
    },
    "feed_new_done": {
        "en": "Your feed has a new address. The old one no longer works: update your feed reader.",
        "ja": "フィードのアドレスを新しくしました。古いアドレスは使えません。"
        "フィードリーダーの登録を更新してください。",
        "zh-Hant": "你的訂閱源已有新網址，舊網址已失效，請更新你的閱讀器。",
        "zh-Hans": "你的订阅源已有新网址，旧网址已失效，请更新你的阅读器。",
        "ko": "피드 주소가 새로 바뀌었습니다. 이전 주소는 더 이상 작동하지 않으니 피드 리더에서 "
        "주소를 바꿔 주세요.",
        "th": "ฟีดของคุณมีที่อยู่ใหม่แล้ว ที่อยู่เดิมใช้ไม่ได้อีก โปรดอัปเดตในโปรแกรมอ่านฟีดของคุณ",
        "es": "Tu feed tiene una dirección nueva. La anterior ya no funciona: actualiza tu "
        "lector de feeds.",
        "fr": "Votre flux a une nouvelle adresse. L'ancienne ne fonctionne plus : mettez à jour "
        "votre lecteur de flux.",
        "de": "Dein Feed hat eine neue Adresse. Die alte funktioniert nicht mehr: "
        "Aktualisiere deinen Feedreader.",
    },
    "chat_feed_reply": {
        "en": "Your digests as a feed, for any feed reader (keep the address to yourself):",
        "ja": "あなたのダイジェストをフィードで読めます（アドレスは他の人に教えないでください）：",
        "zh-Hant": "用任何閱讀器訂閱你的摘要（請勿把網址分享給他人）：",
        "zh-Hans": "用任何阅读器订阅你的摘要（请勿把网址分享给他人）：",
        "ko": "피드 리더로 받아 보는 나의 다이제스트 (주소는 다른 사람과 공유하지 마세요):",
        "th": "สรุปข่าวของคุณในรูปแบบฟีด สำหรับโปรแกรมอ่านฟีดใดก็ได้ (โปรดเก็บที่อยู่นี้ไว้เป็นความลับ):",
        "es": "Tus resúmenes como feed, para cualquier lector (no compartas la dirección):",
        "fr": "Vos résumés en flux, pour tout lecteur de flux (gardez l'adresse pour vous) :",
        "de": "Deine Digests als Feed für jeden Feedreader (behalte die Adresse für dich):",
    },
}
