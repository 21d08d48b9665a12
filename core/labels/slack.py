"""Slack's digest message, its threads and the App Home tab."""

from __future__ import annotations

LABELS: dict[str, dict[str, str]] = {
    "slack_thread_hint": {
        "en": "Each story's full brief is in this message's thread.",
        "ja": "各ニュースのブリーフ全文は、このメッセージのスレッドにあります。",
        "zh-Hant": "每則新聞的完整摘要都在這則訊息的討論串中。",
        "zh-Hans": "每条新闻的完整摘要都在这条消息的话题中。",
        "ko": "각 뉴스의 전체 브리프는 이 메시지의 스레드에 있습니다.",
        "th": "สรุปฉบับเต็มของแต่ละข่าวอยู่ในเธรดของข้อความนี้",
        "es": "El resumen completo de cada noticia está en el hilo de este mensaje.",
        "fr": "Le résumé complet de chaque article se trouve dans le fil de ce message.",
        "de": "Das vollständige Briefing zu jeder Meldung steht im Thread dieser Nachricht.",
    },
    "slack_home_today": {
        "en": "Today's stories",
        "ja": "今日のニュース",
        "zh-Hant": "今日新聞",
        "zh-Hans": "今日新闻",
        "ko": "오늘의 뉴스",
        "th": "ข่าววันนี้",
        "es": "Las noticias de hoy",
        "fr": "Les articles du jour",
        "de": "Die Meldungen von heute",
    },
    "slack_home_empty": {
        "en": "No stories yet. They appear after the next update.",
        "ja": "まだニュースがありません。次の更新後に表示されます。",
        "zh-Hant": "目前還沒有新聞，下次更新後就會出現。",
        "zh-Hans": "目前还没有新闻，下次更新后就会出现。",
        "ko": "아직 뉴스가 없습니다. 다음 업데이트 후에 표시됩니다.",
        "th": "ยังไม่มีข่าว ข่าวจะแสดงหลังการอัปเดตครั้งถัดไป",
        "es": "Aún no hay noticias. Aparecerán tras la próxima actualización.",
        "fr": "Pas encore d'articles. Ils apparaîtront après la prochaine mise à jour.",
        "de": "Noch keine Meldungen. Sie erscheinen nach der nächsten Aktualisierung.",
    },
    "slack_home_digest": {
        "en": "Your digest",
        "ja": "あなたのダイジェスト",
        "zh-Hant": "你的每日摘要",
        "zh-Hans": "你的每日摘要",
        "ko": "나의 다이제스트",
        "th": "สรุปข่าวของคุณ",
        "es": "Tu resumen",
        "fr": "Votre résumé",
        "de": "Ihr Digest",
    },
    "slack_home_join": {
        "en": (
            "Type `/aitoday subscribe` in a channel, or here in Messages, to get the daily digest."
        ),
        "ja": (
            "チャンネルか、ここの「メッセージ」で `/aitoday subscribe` と入力すると、"
            "毎日のダイジェストが届きます。"
        ),
        "zh-Hant": "在頻道中或這裡的「訊息」輸入 `/aitoday subscribe`，即可每天收到摘要。",
        "zh-Hans": "在频道中或这里的“消息”中输入 `/aitoday subscribe`，即可每天收到摘要。",
        "ko": (
            "채널이나 여기 메시지 탭에서 `/aitoday subscribe`를 입력하면 "
            "매일 다이제스트를 받습니다."
        ),
        "th": "พิมพ์ `/aitoday subscribe` ในแชนแนล หรือที่แท็บข้อความตรงนี้ เพื่อรับสรุปข่าวทุกวัน",
        "es": (
            "Escribe `/aitoday subscribe` en un canal, o aquí en"
            " Mensajes, para recibir el resumen diario."
        ),
        "fr": (
            "Tapez `/aitoday subscribe` dans un canal, ou ici dans"
            " Messages, pour recevoir le résumé quotidien."
        ),
        "de": (
            "Geben Sie `/aitoday subscribe` in einem Channel oder hier unter"
            " Nachrichten ein, um den täglichen Digest zu erhalten."
        ),
    },
    "slack_home_time": {
        "en": "Delivery time",
        "ja": "配信時刻",
        "zh-Hant": "發送時間",
        "zh-Hans": "发送时间",
        "ko": "발송 시간",
        "th": "เวลาส่ง",
        "es": "Hora de envío",
        "fr": "Heure d'envoi",
        "de": "Zustellzeit",
    },
    "slack_home_follow": {
        "en": "Follow topics (tap to switch)",
        "ja": "フォローするトピック（タップで切り替え）",
        "zh-Hant": "追蹤的主題（點一下切換）",
        "zh-Hans": "关注的主题（点击切换）",
        "ko": "팔로우할 주제 (탭하여 전환)",
        "th": "หัวข้อที่ติดตาม (แตะเพื่อสลับ)",
        "es": "Temas que sigues (toca para cambiar)",
        "fr": "Sujets suivis (touchez pour changer)",
        "de": "Gefolgte Themen (zum Umschalten tippen)",
    },
    "slack_home_mute": {
        "en": "Muted topics (tap to switch)",
        "ja": "ミュートするトピック（タップで切り替え）",
        "zh-Hant": "靜音的主題（點一下切換）",
        "zh-Hans": "屏蔽的主题（点击切换）",
        "ko": "숨길 주제 (탭하여 전환)",
        "th": "หัวข้อที่ปิดเสียง (แตะเพื่อสลับ)",
        "es": "Temas silenciados (toca para cambiar)",
        "fr": "Sujets masqués (touchez pour changer)",
        "de": "Stummgeschaltete Themen (zum Umschalten tippen)",
    },
    "slack_home_following": {
        "en": "Following",
        "ja": "フォロー中",
        "zh-Hant": "追蹤中",
        "zh-Hans": "关注中",
        "ko": "팔로우 중",
        "th": "กำลังติดตาม",
        "es": "Sigues",
        "fr": "Suivis",
        "de": "Gefolgt",
    },
    "slack_home_muted": {
        "en": "Muted",
        "ja": "ミュート中",
        "zh-Hant": "已靜音",
        "zh-Hans": "已屏蔽",
        "ko": "숨김",
        "th": "ปิดเสียงแล้ว",
        "es": "Silenciados",
        "fr": "Masqués",
        "de": "Stummgeschaltet",
    },
    "slack_home_help": {
        "en": "`/aitoday help` lists every command.",
        "ja": "`/aitoday help` で使えるコマンドの一覧が出ます。",
        "zh-Hant": "輸入 `/aitoday help` 可查看所有指令。",
        "zh-Hans": "输入 `/aitoday help` 可查看所有命令。",
        "ko": "`/aitoday help`로 모든 명령어를 볼 수 있습니다.",
        "th": "พิมพ์ `/aitoday help` เพื่อดูคำสั่งทั้งหมด",
        "es": "`/aitoday help` muestra todos los comandos.",
        "fr": "`/aitoday help` affiche toutes les commandes.",
        "de": "`/aitoday help` zeigt alle Befehle.",
    },
}
