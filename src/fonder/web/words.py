"""Every word the web pages say of their own: headings, buttons, empty states, notices.

The coach's words (headlines, findings, advice, verdict reasons, the plan) come from the
report documents, written by :mod:`fonder.coach.messages`; the web only frames them. Section
headings shared with the terminal report are taken from :mod:`fonder.coach.messages`, the one
place for those words, so both read alike.

Voice (METHOD.md): warm, direct, plain; no jargon in headings; errors in one sentence —
what happened — where — what to do.
"""

from __future__ import annotations

from typing import Final

# Words the terminal report says too come from the one messages module, so both read alike.
from fonder.coach import messages as M

BRAND: Final = "fonder"
TAGLINE: Final = "your texting, measured, on this computer"
SKIP: Final = "Skip to the content"
NAV_LABEL: Final = "Main"
NAV_CHATS: Final = "Your chats"
NAV_TOGETHER: Final = "Join chats"
FOOTER: Final = (
    "fonder runs on this computer only. Nothing you add here leaves it, and nothing is "
    "loaded from the internet."
)
FOOTER_NUMBERS: Final = (
    "Numbers describe texting, not feelings: read them as a starting point for your own "
    "judgement."
)

# ---------------------------------------------------------------------------------------------
# Your chats
# ---------------------------------------------------------------------------------------------

CHATS_TITLE: Final = "Your chats"
CHATS_INTRO: Final = "The chats you have added. Open one to read what fonder sees in it."
CHAT_WITH: Final = "You and {them}"
CHAT_META: Final = "{platform} · {span} · {messages} messages"
CHAT_YOU_ARE: Final = "You are {me} in this chat."
CHAT_OPEN: Final = "Read the report"

EMPTY_TITLE: Final = "No chats yet — here is how to export one"
EMPTY_INTRO: Final = (
    "Export the chat from your phone or computer, then drop the file on this page. fonder "
    "reads it here, on this computer."
)
#: (app, steps) for the empty state; the full guides live in docs/platforms/.
EXPORT_STEPS: Final[tuple[tuple[str, tuple[str, ...]], ...]] = (
    (
        "WhatsApp",
        (
            "Open the chat with the person.",
            "Android: tap ⋮ › More › Export chat. iPhone: tap their name, then Export Chat.",
            "Choose Without media, and save the .zip to this computer.",
        ),
    ),
    (
        "Telegram",
        (
            "In Telegram Desktop open the chat and choose ⋮ › Export chat history.",
            "Untick the media and set Format to Machine-readable JSON.",
            "Drop the ChatExport folder (or its result.json) here.",
        ),
    ),
    (
        "Instagram and Messenger",
        (
            "Accounts Center › Your information and permissions › Download your information.",
            "Pick Messages, Format JSON, and download the zip when it is ready.",
            "Drop the zip here as it is.",
        ),
    ),
    (
        "iMessage, Signal, SMS and others",
        (
            (
                "Each app exports differently: the guide for every app is in fonder's "
                "docs/platforms folder."
            ),
        ),
    ),
)
DEMO_HINT: Final = (
    "Just looking? Run “fonder demo --keep demo” in a terminal: it writes a made-up "
    "couple's export you can drop here."
)

ADD_TITLE: Final = "Add a chat"
ADD_DROP: Final = "Drop an export here: a .zip, .txt or .json file, or a whole folder."
ADD_OR: Final = "or"
ADD_FILE: Final = "Choose a file"
ADD_FOLDER: Final = "Choose a folder"
ADD_SUBMIT: Final = "Add this chat"
ADD_PRIVATE: Final = (
    "The file is read on this computer and deleted as soon as the chat is saved. "
    "Adding the same chat again only adds what is new."
)
ADD_LIMIT: Final = "Up to {size} at a time."
UPLOADING: Final = "Sending the file to fonder (on this computer)…"
DROP_HERE: Final = "Drop it anywhere on this page"

# ---------------------------------------------------------------------------------------------
# Adding a chat (the import job)
# ---------------------------------------------------------------------------------------------

IMPORT_TITLE: Final = "Adding your chat"
IMPORT_FILE: Final = "From {name}"
IMPORT_WORKING: Final = "Working on it — this page follows along by itself."
IMPORT_NOSCRIPT: Final = "This page reloads every second until the chat is added."
STAGE_WORDS: Final[dict[str, str]] = {
    "queued": "Waiting for the previous chat to finish",
    "reading": "Reading the export",
    "labelling": "Reading the tone of each message",
    "saving": "Saving to your private store",
    "report": "Preparing your report",
    "working": "Working",
}
PROGRESS_LABEL: Final = "How far along"

WHO_TITLE: Final = "Which of these people are you?"
WHO_HINT: Final = (
    "fonder needs to know which side of the chat is yours. It remembers your answer for this "
    "chat."
)
WHO_SUBMIT: Final = "That's me"

DATE_ORDER_TITLE: Final = "How are the dates written in this chat?"
DATE_ORDER_HINT: Final = (
    "The dates in this export could be read day first or month first (for example "
    "{first} or {last}). Which way does your phone write them?"
)
DATE_ORDERS: Final[dict[str, str]] = {
    "dmy": "Day first: 31/12/2026",
    "mdy": "Month first: 12/31/2026",
    "ymd": "Year first: 2026/12/31",
}
DATE_ORDER_SUBMIT: Final = "Use this order"
CANCEL: Final = "Cancel"

IMPORT_FAILED_TITLE: Final = "fonder couldn't add this chat"
IMPORT_TRY_AGAIN: Final = "Try again with another file"
IMPORT_GONE: Final = (
    "This import is no longer here — it finished or waited too long for an answer — add the "
    "file again from Your chats."
)
IMPORT_BUG: Final = (
    "Something went wrong inside fonder while reading this file — it is a bug, not your file's "
    "fault — run “fonder import” in a terminal with --debug to see more."
)
IMPORTED_ONE: Final = (
    "Added the chat with {them}: {messages} messages, {added} of them new."
)
IMPORTED_MANY: Final = "Added {n} chats."
SKIPPED_GROUPS: Final = "Left out {n} group chats: fonder coaches one-to-one chats."
CANCELLED: Final = "Nothing was added, and the file was deleted."

# ---------------------------------------------------------------------------------------------
# One chat: tabs
# ---------------------------------------------------------------------------------------------

TABS_LABEL: Final = "This chat"
TAB_REPORT: Final = "Report"
TAB_WEEK: Final = "This week"
TAB_CHECK: Final = "Should I send this?"
TAB_FORGET: Final = "Forget"

# ---------------------------------------------------------------------------------------------
# The report (headings as in the terminal report)
# ---------------------------------------------------------------------------------------------

REPORT_TITLE: Final = "You and {them}"
REPORT_META: Final = "{platforms} · {span} · {total} messages (you {mine}, {them} {theirs})"
REPORT_WINDOW: Final = "Only {window}."
WINDOW_FROM: Final = "from {day}"
WINDOW_UNTIL: Final = "until {day}"
EMPTY_WINDOW: Final = "There are no messages in this window."

RANGE_TITLE: Final = "Which dates"
RANGE_FROM: Final = "From"
RANGE_TO: Final = "To"
RANGE_SUBMIT: Final = "Show these dates"
RANGE_ALL: Final = "The whole chat"

SAFETY_TITLE: Final = M.TERM_SAFETY_RULE
SAFETY_HELP: Final = "Where to get help"
HEADLINE_TITLE: Final = M.TERM_LONGING
TREND_WORDS: Final[dict[str, str]] = {
    "up": "↗ more than before",
    "down": "↘ less than before",
    "steady": "→ about the same as before",
    "unknown": "· too early to see a trend",
}
ACTIONS_TITLE: Final = M.TERM_TOP_ACTIONS
ACTIONS_TITLE_FEW: Final = "This week"
GLANCE_TITLE: Final = "At a glance"
GLANCE_WHAT: Final = "What"
YOU: Final = "You"
CHARTS_TITLE: Final = "Over time"
CHARTS_NOSCRIPT: Final = "The charts need JavaScript, which runs on this computer only."
FINDINGS_TITLE: Final = M.TERM_FINDINGS_RULE
EXAMPLES_LABEL: Final = "Example messages"
ADVICE_TITLE: Final = "What to do"
RESEARCH_TITLE: Final = "What research says"

DOWNLOAD_TITLE: Final = "Keep a copy"
DOWNLOAD_HINT: Final = (
    "One file that opens in any browser, offline, with the charts inside."
)
DOWNLOAD_REDACTED: Final = "Shared copy: hide both names and every message"
DOWNLOAD_SUBMIT: Final = "Download the report"

# ---------------------------------------------------------------------------------------------
# This week (the plan; headings as in the terminal)
# ---------------------------------------------------------------------------------------------

WEEK_TITLE: Final = "Your next seven days"
WEEK_SAFETY: Final = M.TERM_PLAN_SAFETY
WEEK_SPACE: Final = "Space for {them} to reach you"
WEEK_OWN: Final = "For your own week"
WEEK_DATES: Final = "Five things you haven't done together"
WEEK_NOTHING: Final = "Nothing to change this week: keep doing what you do."
INTERESTS_LABEL: Final = "Things you love doing (optional, separated by commas)"
INTERESTS_HINT: Final = "For example: pottery, running, a language class."
INTERESTS_SUBMIT: Final = "Update the plan"

# ---------------------------------------------------------------------------------------------
# Should I send this?
# ---------------------------------------------------------------------------------------------

CHECK_TITLE: Final = "Should I send this?"
CHECK_INTRO: Final = (
    "Type the message you want to send {them}. fonder reads it in the light of your chat and "
    "the time of day, here on this computer, and keeps nothing."
)
CHECK_LABEL: Final = "Your message to {them}"
CHECK_SUBMIT: Final = "Check it"
CHECK_LIVE: Final = "fonder checks as you type."
CHECK_WAITING: Final = "Reading…"
VERDICTS: Final[dict[str, str]] = {
    "send": "Send",
    "wait": "Wait",
    "rethink": "Rethink",
}
VERDICT_LEAD: Final[dict[str, str]] = {
    "send": "Nothing in it, or in the timing, gives fonder pause.",
    "wait": "It can wait a little.",
    "rethink": "Maybe say it another way.",
}
WAIT_UNTIL: Final = "Until {when}"
YOUR_DRAFT: Final = "Your message, with what fonder noticed marked:"
SUGGESTION_TITLE: Final = M.TERM_CHECK_KINDER
SUGGESTION_USE: Final = "Use this instead"

# ---------------------------------------------------------------------------------------------
# Forget
# ---------------------------------------------------------------------------------------------

FORGET_TITLE: Final = "Forget this chat?"
FORGET_BODY: Final = (
    "This removes the chat with {them} — {messages} messages — and everything fonder worked "
    "out from it, from this computer. It cannot be undone."
)
FORGET_NOTE: Final = (
    "Your phone and the export file are not touched: you can add the chat again later."
)
FORGET_SUBMIT: Final = "Forget this chat"
FORGET_KEEP: Final = "Keep it"
FORGOTTEN: Final = "The chat with {them} is gone from fonder, with everything worked out from it."

# ---------------------------------------------------------------------------------------------
# Join chats across apps
# ---------------------------------------------------------------------------------------------

TOGETHER_TITLE: Final = "Join chats with the same person"
TOGETHER_INTRO: Final = (
    "Texting the same person on more than one app? Join those chats and fonder reads them as "
    "one timeline: the report, the week and the draft check of any of them read them all, "
    "and a message both apps recorded counts once."
)
TOGETHER_SUGGESTED: Final = "These look like the same person"
TOGETHER_SUGGESTION: Final = "{them} on {platforms}"
TOGETHER_JOIN_THESE: Final = "Join these"
TOGETHER_PICK: Final = "Choose the chats to join"
TOGETHER_SUBMIT: Final = "Join into one timeline"
TOGETHER_TOO_FEW: Final = (
    "There is nothing to join yet: add the chat with the same person from another app first."
)
TOGETHER_UNAVAILABLE: Final = (
    "Joining chats arrives in a coming version of fonder: this page will offer it then."
)
TOGETHER_NEED_TWO: Final = (
    "Pick at least two chats — the list of chats — tick two or more and try again."
)
TOGETHER_DONE: Final = (
    "Joined into one timeline: {chats}. Reports, plans and checks now read them together."
)
TOGETHER_PART: Final = "{platform} ({messages} messages)"
SEPARATE_TITLE: Final = "Separate a chat again"
SEPARATE_LABEL: Final = "Chat"
SEPARATE_SUBMIT: Final = "Separate it"
SEPARATED: Final = "Done: it stands on its own again."
NOT_JOINED: Final = "That chat was not joined with another."

# ---------------------------------------------------------------------------------------------
# Errors (one sentence: what — where — what to do)
# ---------------------------------------------------------------------------------------------

ERROR_TITLE: Final = "That didn't work"
ERROR_BACK: Final = "Back to your chats"
NOT_FOUND: Final = "There is no such page in fonder — {path} — go back to your chats."
BAD_HOST: Final = (
    "fonder answers only at the address it printed — {got} — open http://{expected}/ instead."
)
BAD_ORIGIN: Final = (
    "This request came from another website — {origin} — fonder only takes changes made on "
    "its own pages."
)
CSRF_FAILED: Final = (
    "This page is out of date (fonder was restarted, or the form is old) — {path} — go back, "
    "reload the page and try again."
)
UPLOAD_TOO_LARGE: Final = (
    "The upload is larger than fonder takes through this page ({limit}) — {name} — export the "
    "chat without media, or run “fonder import” in a terminal."
)
UPLOAD_TOO_MANY: Final = (
    "The folder holds more than {limit} files — {name} — drop only the chat's own folder or "
    "file."
)
UPLOAD_EMPTY: Final = (
    "No file arrived — the add-a-chat form — choose or drop an export file and try again."
)
UPLOAD_BROKEN: Final = (
    "The upload was cut off or garbled — the add-a-chat form — try again."
)
BAD_DAY: Final = "'{value}' is not a date — {field} — pick a day from the calendar."
EMPTY_RANGE: Final = (
    "The dates are the wrong way round — From is after To — pick a From day before the To day."
)
BUSY: Final = (
    "fonder's store is busy — another fonder is using it — wait a moment and reload the page."
)
BUG: Final = (
    "Something went wrong inside fonder — {path} — it is a bug: reload the page, and if it "
    "happens again, run the same thing in a terminal with --debug."
)

# ---------------------------------------------------------------------------------------------
# The server (printed by ``fonder serve``)
# ---------------------------------------------------------------------------------------------

READY: Final = "fonder is running at {url} — open it in your browser; press Ctrl+C to stop."
NOT_LOOPBACK: Final = (
    "fonder serves only this computer — --host {host} — use 127.0.0.1 (the default); any "
    "other address could let other machines read your chats."
)
PORT_IN_USE: Final = (
    "Port {port} is already in use on this computer — --port {port} — choose another, or leave "
    "--port out to let fonder pick a free one."
)
PORT_REFUSED: Final = (
    "fonder cannot listen on {host}:{port} ({reason}) — --port {port} — choose another port, "
    "or leave --port out."
)
ALREADY_SERVING: Final = (
    "fonder is already serving this store at {url} — {store} — open that address, or stop the "
    "other 'fonder serve' first."
)
ALREADY_SERVING_UNKNOWN: Final = (
    "Another 'fonder serve' is already using this store — {store} — stop it first, or choose "
    "another store with --db."
)


def size(n: int) -> str:
    """A byte count as a person reads it: "900 KB", "12 MB", "1.5 GB"."""
    if n < 1_000_000:
        return f"{max(1, round(n / 1000))} KB"
    if n < 1_000_000_000:
        return f"{round(n / 1_000_000)} MB"
    return f"{n / 1_000_000_000:.1f} GB".replace(".0 GB", " GB")
