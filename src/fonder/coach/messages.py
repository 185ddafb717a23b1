"""Every word the coach says to a person, in one place, so it can be edited and translated.

Plain ``str.format`` templates; the named fields are filled by the coach. The small formatting
helpers at the top (durations, dates, percentages) are here too because they are words: a
translation replaces this module and keeps the names.

Voice (METHOD.md): warm, direct, specific, never shaming; numbers first, then one thing to do;
uncertainty said out loud. fonder never teaches games or manipulation. "You" is the person who
runs fonder; "he" and ``{them}`` the other person of the chat.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Final

# --------------------------------------------------------------------------------------------
# Formatting helpers (words for numbers, times and dates)
# --------------------------------------------------------------------------------------------

MONTHS: Final[tuple[str, ...]] = (
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
)
MONTHS_LONG: Final[tuple[str, ...]] = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)
WEEKDAYS: Final[tuple[str, ...]] = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def duration(seconds: float | None) -> str:
    """A wait in words: "40 s", "26 min", "1 h 40 min", "20 h", "3.5 days"."""
    if seconds is None:
        return "unknown"
    s = max(0.0, float(seconds))
    if s < 60:
        return f"{round(s)} s"
    minutes = s / 60.0
    if minutes < 90:
        return f"{round(minutes)} min"
    hours = minutes / 60.0
    if hours < 10:
        h, m = divmod(round(minutes), 60)
        return f"{h} h" if m == 0 else f"{h} h {m} min"
    if hours < 36:
        return f"{round(hours)} h"
    days = hours / 24.0
    return f"{days:.1f} days".replace(".0 days", " days")


def hours(h: float | None) -> str:
    """Hours in words (as :func:`duration`)."""
    return duration(None if h is None else h * 3600.0)


def day(d: date | datetime | None) -> str:
    """"3 Aug"."""
    if d is None:
        return "unknown"
    return f"{d.day} {MONTHS[d.month - 1]}"


def day_long(d: date | datetime | None) -> str:
    """"Mon 3 Aug"."""
    if d is None:
        return "unknown"
    return f"{WEEKDAYS[d.weekday()]} {d.day} {MONTHS[d.month - 1]}"


def clock(t: datetime) -> str:
    """"20:05"."""
    return f"{t.hour:02d}:{t.minute:02d}"


def when(t: datetime) -> str:
    """"Mon 3 Aug, 20:05"."""
    return f"{day_long(t)}, {clock(t)}"


def month(d: date | datetime) -> str:
    """"August"."""
    return MONTHS_LONG[d.month - 1]


def pct(x: float | None) -> str:
    """A share 0–1 as "57%"."""
    return "unknown" if x is None else f"{round(100 * x)}%"


def pct_small(x: float | None) -> str:
    """A small share: "none", "under 1%", "3%"."""
    if x is None:
        return "unknown"
    if x == 0:
        return "none"
    return "under 1%" if x < 0.005 else pct(x)


def ratio(x: float | None) -> str:
    """"2.9×"."""
    return "unknown" if x is None else f"{x:.1f}×"


def times(n: int) -> str:
    """"0 times", "once", "twice", "3 times"."""
    return {1: "once", 2: "twice"}.get(n, f"{n} times")


def rate(x: float | None) -> str:
    """A per-month (or per-week) rate: "2", "0.5"."""
    if x is None:
        return "unknown"
    return f"{x:.0f}" if x >= 10 or abs(x - round(x)) < 0.05 else f"{x:.1f}"


def plural(n: int, one: str, many: str) -> str:
    """"1 message", "3 messages"."""
    return f"{n} {one if n == 1 else many}"


def hour_range(start: int, end: int) -> str:
    """"23:00–07:00"."""
    return f"{start % 24:02d}:00–{end % 24:02d}:00"


def quote(text: str) -> str:
    """A message quoted in a sentence."""
    return f"“{text}”"


# --------------------------------------------------------------------------------------------
# Principles and severities
# --------------------------------------------------------------------------------------------

PRINCIPLES: Final[dict[str, str]] = {
    "S1": "Safety",
    "P0": "Does he miss you?",
    "P1": "Not trying too hard",
    "P2": "Space and his signals",
    "P3": "Is it mutual?",
    "P4": "A little mystery",
    "P5": "A life of your own",
    "P6": "Letting go of anger",
    "P7": "Appreciation",
    "P8": "New things together",
    "P9": "Lightness and a clear no",
    "P10": "Missing goes both ways",
}

SEVERITY_WORDS: Final[dict[str, str]] = {
    "info": "for your information",
    "low": "worth a look",
    "medium": "important",
    "high": "most important",
}

# --------------------------------------------------------------------------------------------
# Shared sentences
# --------------------------------------------------------------------------------------------

SHORT_DATA = (
    "Based on only {days} days and {n} messages: too little to be sure of anything, so read "
    "this as a first impression."
)
BASED_ON = "Based on {days} days and {n} messages, up to {last}."
NO_LABELS = "This needs the tone of the messages, which fonder could not read for this chat."
SAFETY_OVERRIDE = (
    "fonder doesn't coach this while his messages include what the safety section shows: "
    "please read that first. None of it is yours to fix by texting differently."
)

# --------------------------------------------------------------------------------------------
# Research notes (METHOD.md; what each study found, without overclaiming)
# --------------------------------------------------------------------------------------------

RESEARCH: Final[dict[str, str]] = {
    "reassurance": (
        "A meta-analysis (Starr & Davila, 2008) found that seeking reassurance over and over goes "
        "with being rejected a little more often (r = .14), a bit more in romantic relationships. "
        "It is a small effect, but a consistent one."
    ),
    "unequal": (
        "Unequal involvement is common and tends to last (Sprecher et al., 2006); couples who feel "
        "equally involved are more satisfied and more stable. Similar texting habits, such as who "
        "starts and how often, go with satisfaction (Ohadi et al., 2018): balance matters more than "
        "volume."
    ),
    "reply_speed": (
        "In spoken conversation, faster replies feel more connected (Templeton et al., 2022). For "
        "texting the evidence is weaker, so fonder compares him only with his own earlier weeks, "
        "never with a norm. No study validates a pull-away detector: its thresholds are fonder's "
        "choices, shown with their numbers."
    ),
    "horsemen": (
        "Criticism, contempt, defensiveness and stonewalling are the patterns Gottman's research "
        "links to couples drifting apart; fonder looks for them in text as rough proxies. (The "
        "precise percentages often quoted come from popular books, so fonder does not repeat them.)"
    ),
    "gratitude": (
        "Expressing appreciation predicts feeling closer the next day (Algoe et al., 2010) and "
        "couples who feel appreciated are more likely to stay together (Gordon et al., 2012)."
    ),
    "novelty": (
        "Couples who did new, exciting activities together reported more relationship quality "
        "than couples who did pleasant, familiar ones (Aron et al., 2000), and a randomized trial "
        "found the same (Coulter & Malouff, 2013)."
    ),
    "we_talk": (
        "Couples who say “we”, “us” and “our” more tend to fare better (Karan et al., 2019, a "
        "meta-analysis)."
    ),
    "lsm": (
        "Couples whose messages matched more in small function words were more likely to still be "
        "together three months later (Ireland et al., 2011). It is a signal, not a target: nobody "
        "can raise it on purpose."
    ),
}

# --------------------------------------------------------------------------------------------
# Headline (P0)
# --------------------------------------------------------------------------------------------

HEADLINE_NO_LABELS = (
    "fonder can't tell yet whether {them} misses you: it needs the tone of the messages, which "
    "it could not read for this chat"
)
HEADLINE_SHORT = (
    "It's too early to say whether {them} misses you: {days} days and {n} messages are not "
    "enough to see a pattern"
)
HEADLINE_EMPTY = "There's nothing in this chat yet, so fonder can't tell whether {them} misses you"
HEADLINE_NEVER = "{them} hasn't said he misses you anywhere in this chat"
HEADLINE_STOPPED = (
    "{them} used to say he misses you (about {earlier} times a month), but not once in the "
    "last {weeks} weeks"
)
HEADLINE_DOWN = (
    "{them} still says he misses you, but less often: {recent_n} in the last {weeks} weeks "
    "(about {recent} a month), against about {earlier} a month before"
)
HEADLINE_UP = (
    "Yes, and more than before: {them} said he misses you {recent_times} in the last {weeks} "
    "weeks (about {recent} a month), against about {earlier} a month before"
)
HEADLINE_STEADY = (
    "Yes: {them} says he misses you about {rate} times a month, as often as before"
)
HEADLINE_STEADY_RARE = (
    "Now and then: {them} says he misses you about once every {every} weeks, no more or less "
    "than before"
)
HEADLINE_TAIL_LONGING = (
    "; after your {hours} of quiet from {day}, he was the one who wrote, to say he missed you"
)
HEADLINE_TAIL_FIRST = "; after your {hours} of quiet from {day}, he was the one who wrote first"
HEADLINE_TAIL_NOT = "; after your {hours} of quiet from {day}, you were the one who wrote again"
HEADLINE_END = "."

FACT_LONGING_TOTAL = (
    "In {days} days he said he misses you (or wished you were there, or couldn't wait to see "
    "you) {them_times}; you said it {me_times}."
)
FACT_LONGING_WINDOWS = (
    "Last {weeks} weeks: {recent_times} ({recent_rate} a month); before that: {earlier_rate} a "
    "month."
)
FACT_LONGING_FIRST = "Where it came up, he said it first in {them} conversations and you in {me}."
FACT_ABSENCE = (
    "You went quiet for a day or more {silences_times}; he wrote first in {reached} of those, "
    "after a median of {median}."
)
FACT_ABSENCE_NONE = "You haven't gone a full day without writing to him in this chat."
FACT_SILENCE_LONGING = (
    "When you were quiet for {hours} from {day}, his first message said he missed you."
)
FACT_MONTHS = "Per month, his: {series}."

# --------------------------------------------------------------------------------------------
# Findings: titles, facts and advice per principle
# --------------------------------------------------------------------------------------------

# P0 — he misses you
P0_TITLE = {
    "up": "{them} says he misses you more often lately",
    "steady": "{them} misses you about as often as before",
    "down": "{them} says he misses you less often than before",
    "stopped": "{them} hasn't said he misses you lately",
    "never": "{them} hasn't said he misses you in this chat",
    "unknown": "Too early to read whether {them} misses you",
}
P0_ADVICE_WARM = (
    "When he says he misses you, let it land. You don't have to match it, test it or ask for "
    "more; just enjoy it."
)
P0_ADVICE_COOL = (
    "Don't ask him whether he misses you, and don't stage an absence to find out. Keep your own "
    "week full (see your plan) and notice who reaches out; that is the answer that counts."
)
P0_ADVICE_UNKNOWN = (
    "Give it a few more weeks of chat; fonder will have a real answer once there is enough to go "
    "on."
)

# P1 — not trying too hard
P1_TITLE = {
    "follow_ups": "You're doing most of the chasing",
    "follow_ups_past": "You chased hard for a while, and have eased off since",
    "reassurance": "You're asking him for reassurance a lot",
    "reassurance_low": "You've asked him for reassurance a few times lately",
    "follow_ups_low": "You do a bit more of the chasing than he does",
    "starts_low": "You start more of your conversations than he does",
    "starts": "You start most of your conversations",
    "messages": "You send most of the messages",
    "late": "A lot of your texts go out late at night",
    "fine": "Your texting is in proportion",
}
P1_FACT_FU_RECENT = (
    "Last 4 weeks: you sent {me} unanswered follow-ups ({me_rate} a week) and he sent {them}; "
    "{share} of them were yours."
)
P1_FACT_FU_USUAL = "Your usual pace over the whole chat is about {rate} a week."
P1_FACT_FU_PEAK = (
    "From {start} to {end} you sent {n} unanswered follow-ups, {rate} a week, {x} your usual "
    "pace; your longest streak without a reply was {streak} in a row."
)
P1_FACT_STARTS = "You started {me} of the last {total} conversations ({share})."
P1_FACT_MESSAGES = "You sent {share} of the messages in the last 4 weeks ({me} against his {them})."
P1_FACT_REASSURANCE = (
    "You asked for reassurance or fished for a compliment {recent_times} in the last 4 weeks "
    "({total} in all)."
)
P1_FACT_LATE = "{share} of your messages went out between midnight and 5 am, against {his} of his."
P1_FACT_CALLS = "You called {me_times}, he called {them_times}."
P1_ADVICE = (
    "For the next 7 days: let him start at least half of your conversations, and when a message "
    "of yours is unanswered, wait at least {p75} before writing again (3 of his 4 replies come "
    "within that time)."
)
P1_ADVICE_NO_LATENCY = (
    "For the next 7 days: let him start at least half of your conversations, and when a message "
    "of yours is unanswered, let it be until he replies."
)
P1_ADVICE_REASSURANCE = (
    " When you want to ask “are we ok?”, say what you feel instead, once: “I've missed you this "
    "week.”"
)
P1_ADVICE_FINE = (
    "Nothing to change: you give about as much as you get. Keep writing when you have something "
    "to say."
)

# P2 — pull-away
P2_TITLE_DETECTED = "{them} has pulled back since the week of {since}"
P2_TITLE_STEADY = "{them}'s pace is steady against his own usual"
P2_TITLE_SHORT = "Too early to tell whether {them} is pulling away"
P2_FACT_LATENCY = (
    "His replies take {x} as long: a median of {recent} since {since}, against {base} before."
)
P2_FACT_VOLUME = "He sends {pct} fewer messages a day ({recent} against {base})."
P2_FACT_LENGTH = "His messages are {pct} shorter ({recent} words against {base})."
P2_FACT_STARTS = "He starts {pts} points fewer of your conversations ({recent} against {base})."
P2_FACT_QUESTIONS = "He asks {pct} fewer questions per message."
P2_FACT_HER = (
    "Your own reply pace barely moved over the same weeks ({her}), so this is his change, not a "
    "shared one."
)
P2_FACT_CONFIDENCE = (
    "These weeks differ from his earlier ones with {conf} confidence (how unlike his usual they "
    "are, not a reading of his feelings)."
)
P2_FACT_PURSUE = (
    "In the weeks his replies were slowest, your follow-ups went up (Spearman r = {r}): the "
    "more he pulled back, the more you chased."
)
P2_FACT_STEADY = (
    "Over the last weeks his replies take {lat} his usual time and he sends {vol} his usual "
    "number of messages: no sign of pulling away."
)
P2_FACT_SHORT = (
    "fonder needs about {min_weeks} weeks of chat, with enough of his messages, to know his usual "
    "pace; this chat has {weeks}."
)
P2_ADVICE = (
    "While he's distant, match his pace: answer when he writes, about as quickly as he does "
    "({median} lately), and don't chase. If it matters to you, say once, plainly, what you've "
    "noticed (“You've felt further away lately. Is something up?”) and then let him answer in "
    "his own time."
)
P2_ADVICE_STEADY = "Nothing to read into his timing; answer at your own natural pace."
P2_ADVICE_SHORT = "Keep texting as you do; fonder needs six weeks or so to know his usual pace."

# P3 — reciprocity
P3_TITLE = {
    "high": "You've carried most of the effort for {weeks} weeks",
    "medium": "The effort has been one-sided for {weeks} weeks",
    "low": "You put in a bit more than he does",
    "past": "The effort was one-sided for a while, and is shared again",
    "info": "The effort between you is shared",
    "unknown": "Too little to weigh the effort yet",
}
P3_FACT_COMPOSITE = "Over {days} days you put in {share} of the effort between you."
P3_FACT_PARTS = "Your share of each part: {parts}."
P3_FACT_RUN = "Your share has been above {threshold} for the last {weeks} in a row."
P3_FACT_RUN_ONE = "Your share was above {threshold} last week."
P3_FACT_LONGEST = (
    "At its longest it stayed above {threshold} for {weeks} in a row (until the week of "
    "{until})."
)
P3_PART_NAMES: Final[dict[str, str]] = {
    "starts": "starting conversations",
    "messages": "messages",
    "words": "words",
    "questions": "questions",
    "follow_ups": "follow-ups",
    "plans": "plans",
    "affection": "affection",
    "appreciation": "thanks",
}
P3_ADVICE_HIGH = (
    "You've been carrying this for {weeks} weeks. Tell him once, plainly and without blame, what "
    "you'd like more of from him, then watch what he does rather than what he says. If it stays "
    "one-sided, it's fair to ask yourself whether this gives you enough."
)
P3_ADVICE_LOW = (
    "Leave some of the effort to him this week: let him start, ask and plan, and see what he "
    "brings."
)
P3_ADVICE_INFO = "Nothing to change: keep meeting each other halfway."

# P4 — mystery, narration
P4_TITLE = {
    "narration": "You tell him your day blow by blow",
    "questions": "You ask most of the questions",
    "both": "You narrate your day and ask most of the questions",
    "info": "You share your life without over-sharing",
}
P4_FACT_NARRATION = (
    "You sent {me} long play-by-play messages about your day ({recent} in the last 4 weeks); he "
    "sent {them}."
)
P4_FACT_QUESTIONS = "You asked {share} of the questions between you ({me} against his {them})."
P4_FACT_OWN = "About {me} of your messages are about your own life, and {them} of his."
P4_ADVICE = (
    "Share the highlight, not the whole log: one good story from your day, then leave room for "
    "him to ask about the rest."
)
P4_ADVICE_QUESTIONS = (
    "Ask one question when you're curious, then let the conversation breathe; see whether he "
    "asks one back."
)
P4_ADVICE_INFO = "Keep it as it is: highlights, told when you feel like it."

# P5 — own life
P5_TITLE = {
    "fading": "Your own life shows up less in your messages lately",
    "thin": "Little of your own life comes through in the chat",
    "some": "Some of your own life comes through in the chat",
    "info": "Your own life is full and it shows",
}
P5_FACT_SHARE = "{share} of your messages mention something of your own ({n} messages){what}."
P5_FACT_WHAT = ": {things}"
P5_FACT_TREND = "Last 4 weeks: {recent} of your messages, against {earlier} before."
P5_ADVICE = (
    "Put two things of your own in this week before you plan anything with him: {ideas}."
)
P5_ADVICE_INFO = "Keep your own week full: you already make room for {things}."
P5_ADVICE_INFO_NONE = "Keep your own week full, whatever fills it for you."

# P6 — anger, nitpicking
P6_TITLE = {
    "medium": "Arguments are happening by text",
    "low": "Some criticism has crept into your messages",
    "his": "Some of his messages are critical or cold",
    "rare": "Criticism is rare between you",
    "info": "No criticism or contempt from you",
}
P6_FACT_MINE = (
    "You sent {n} messages with criticism, contempt, blame or demands ({recent} in the last 4 "
    "weeks)."
)
P6_FACT_HIS = "He sent {n} ({recent} in the last 4 weeks)."
P6_FACT_DAYS = "{days} days had a clash by text (two or more such messages)."
P6_FACT_REPAIR = "After a clash, the next warm word came after a median of {median}."
P6_FACT_NONE = "None of your messages in {days} days criticised, blamed or made demands of him."
P6_ADVICE = (
    "Take hard talks off text: “Can we talk about this tonight?”. When you do, bring one request, "
    "not a list of complaints."
)
P6_ADVICE_INFO = "Keep hard talks for when you can hear each other's voice."

# P7 — appreciation
P7_TITLE = {
    "low": "You haven't thanked him for anything lately",
    "his": "He rarely thanks you",
    "none": "Neither of you has thanked the other in the chat yet",
    "info": "Thanks go both ways",
}
P7_FACT = "You thanked or appreciated him {me_times}; he did {them_times}."
P7_FACT_RECENT = "In the last {weeks} weeks: you {me_times}, he {them_times}."
P7_FACT_HELP = "You asked for his help or advice {me_times}; he asked for yours {them_times}."
P7_ADVICE = (
    "This week, one specific thank-you for something he did: name the thing (“thank you for "
    "picking me up on Friday”)."
)
P7_ADVICE_HELP = " And ask for his advice on one thing you're actually unsure about."

# P8 — novelty
P8_TITLE = {
    "stale": "Nothing new together in a while",
    "plans": "You make most of the plans",
    "both": "You make most of the plans, and nothing new in a while",
    "info": "You keep trying new things together",
    "plans_only": "Plans come from both of you",
}
P8_FACT_PLANS = "You proposed {me} plans and he proposed {them} ({share} yours)."
P8_FACT_NOVEL = (
    "The last time either of you brought up something new to try was {days} days ago ({day})."
)
P8_FACT_NOVEL_NEVER = "Neither of you has suggested something new to try in {days} days of chat."
P8_FACT_NOVEL_COUNT = "Something new to try came up {n_times}."
P8_ADVICE = "Propose one new thing for a specific day, for example: {idea}."
P8_ADVICE_PLANS = " Then leave the next plan to him."

# P9 — banter, boundaries
P9_TITLE = {
    "fading": "Less laughter between you lately",
    "info": "There's lightness between you",
    "no_boundary": "You rarely say no",
    "little": "Not much playfulness in the chat so far",
}
P9_FACT_PLAYFUL = "{me} of your messages are playful and {them} of his."
P9_FACT_TREND = "Last 4 weeks: {recent} of all messages were playful, against {earlier} before."
P9_FACT_BOUNDARY = "You said no or stated a need {times}; he did {his}."
P9_ADVICE_FADING = "Keep it light: a joke, a teasing line or a silly photo says a lot."
P9_ADVICE_BOUNDARY = "A clear no is allowed: “not tonight, I need a night in” is a whole sentence."
P9_ADVICE_INFO = "Keep the jokes coming, and keep saying no when you mean no."

# P10 — mutual missing
P10_TITLE = {
    "me_more": "You say “I miss you” far more than he does",
    "them_more": "He says it more than you do",
    "mutual": "Missing goes both ways",
    "none": "Neither of you says “I miss you” much",
}
P10_FACT = "You said you miss him {me_times}; he said it {them_times}."
P10_FACT_NONE = "Neither of you has said “I miss you” in this chat yet."
P10_FACT_AFFECTION = "Love and warmth: you {me_times}, he {them_times}."
P10_ADVICE_ME = (
    "Let yourself miss him without sending it every time: keep one “I miss you” for when it "
    "will mean the most."
)
P10_ADVICE_THEM = "It's fine to let yourself miss him too, and to say so when you feel it."
P10_ADVICE_MUTUAL = "Nothing to change: you both let the other know."

# --------------------------------------------------------------------------------------------
# Safety (S1): a separate, non-coaching section
# --------------------------------------------------------------------------------------------

SAFETY_TITLE = "Before anything else: some of his messages are not okay"
SAFETY_SENTENCE = (
    "fonder found {n} of {them}'s messages with {what}. No relationship advice applies to "
    "that, and it is not your fault."
)
SAFETY_LABEL_WORDS: Final[dict[str, tuple[str, str]]] = {
    "threat": ("a threat", "threats"),
    "insult": ("an insult", "insults"),
    "control": ("an attempt to control you", "attempts to control you (where you are, who you see)"),
    "jealousy": ("suspicious jealousy", "suspicious jealousy"),
}
SAFETY_COUNT = "{n} with {what}"
SAFETY_SPAN = "From {first} to {last}."
SAFETY_HELP: Final[tuple[str, ...]] = (
    "If you are in danger now, call your local emergency number (112 in Europe, 911 in the US, "
    "999 in the UK).",
    "In the US: the National Domestic Violence Hotline, 1-800-799-7233 (free, confidential, "
    "24/7), or text START to 88788.",
    "In the UK: the National Domestic Abuse Helpline, 0808 2000 247 (free, 24/7).",
    "Elsewhere, a local domestic abuse helpline can talk it through with you, even if you're not "
    "sure what you're seeing is abuse.",
    "Talking to someone you trust, and keeping a copy of messages that frighten you, helps too.",
)
SAFETY_NOTE = (
    "Because of this, fonder does not advise giving him space, matching his pace or waiting for "
    "his replies: his behaviour is not something to manage better."
)
SAFETY_ACTION = (
    "Read the safety section; if you feel unsafe, call a helpline (US 1-800-799-7233, UK "
    "0808 2000 247) or your local emergency number."
)
SAFETY_ACTION_TRUST = (
    "Tell someone you trust what has been happening, and keep a copy of the messages that "
    "worry you."
)
SAFETY_FINDING_TITLE = "{them}'s messages include {what}"
SAFETY_FINDING_ADVICE = (
    "This is not about texting better. Talk to someone you trust or a helpline (US "
    "1-800-799-7233, UK 0808 2000 247); in danger, call your local emergency number."
)

# --------------------------------------------------------------------------------------------
# Plan
# --------------------------------------------------------------------------------------------

PLAN_STARTS = (
    "Let him start at least half of your conversations this week. In the last 4 weeks you "
    "started {me} of {total} ({share}); with about {per_week} conversations a week, start no "
    "more than {cap}."
)
PLAN_STARTS_OK = (
    "Keep letting him start about half of your conversations: in the last 4 weeks he started "
    "{them} of {total}."
)
PLAN_FOLLOW_UP = (
    "No follow-up before {p75} has passed since your last unanswered message: 3 of his 4 replies "
    "come within that time (his typical reply: {median})."
)
PLAN_QUIET = (
    "Quiet hours, {window}: he rarely writes then ({share} of his messages), so let those hours "
    "be yours. You sent {mine} in them in the last 4 weeks."
)
PLAN_QUIET_KEPT = (
    "Quiet hours, {window}: he rarely writes then ({share} of his messages), and you already "
    "keep them quiet. Keep it that way."
)
PLAN_REASSURANCE = (
    "When you want to ask “are we ok?”, say what you feel instead, once (“I've missed you this "
    "week”). You asked {times} in the last 4 weeks."
)
PLAN_MIRROR = (
    "While he's slower than usual ({x} his usual reply time), match his pace: answer when he "
    "writes, in about {median}, and don't chase."
)
PLAN_SAFETY_NOTE = (
    "No space plan this week: with what fonder saw in his messages, your safety comes first. "
    "See the safety section."
)
PLAN_SHORT_NOTE = (
    "Based on only {days} days of chat: the numbers below are rough; they get better with more "
    "weeks."
)
PLAN_NO_SPACE = "Your texting is in balance; no space rules needed this week."

OWN_LIFE_FROM_CHAT = "You mention {thing} {n_times} in the chat: keep it in your week."
OWN_LIFE_FROM_INTEREST = "You said you're into {interest}."
OWN_LIFE_GENERIC_TITLE = "Make time for {interest}"
OWN_LIFE_FROM_CATALOGUE = "Something new for you, {why}."
OWN_LIFE_WHY_TAGS: Final[dict[str, str]] = {
    "social": "with people you like",
    "body": "to get you moving",
    "creative": "to make something",
    "learning": "to learn something",
    "rest": "to rest well",
    "outdoors": "to get outside",
    "solo": "just for you",
    "giving": "to give something back",
}

DATE_IDEA_WHY = "Nothing in your chat says you've done it: {parts}."
DATE_IDEA_PARTS: Final[dict[str, dict[int | str, str]]] = {
    "novelty": {1: "a fresh take on something familiar", 2: "new for most couples",
                3: "properly new"},
    "adrenaline": {1: "calm", 2: "a little exciting", 3: "a real thrill"},
    "cost": {"free": "free", "low": "cheap", "mid": "a small treat", "high": "a splurge"},
    "setting": {"indoor": "indoors", "outdoor": "outdoors", "either": "indoors or out"},
}

# --------------------------------------------------------------------------------------------
# Draft check
# --------------------------------------------------------------------------------------------

CHECK_LABEL_REASONS: Final[dict[str, str]] = {
    "reassurance_seeking": (
        "It asks him to confirm how he feels ({match}). Asking again and again tends to push "
        "people away; a statement of what you feel lands better."
    ),
    "compliment_fishing": (
        "It invites him to reassure you about yourself ({match}). Say what you like about "
        "yourself instead; it's more attractive and it's true."
    ),
    "criticism": (
        "It criticises him as a person or a pattern ({match}). Name the one thing that happened "
        "and what you'd like instead."
    ),
    "contempt": (
        "It sounds mocking or scornful ({match}). That is the hardest tone for anyone to hear; "
        "sleep on it."
    ),
    "defensiveness": (
        "It pushes the blame back ({match}). Try hearing his point first; you can still disagree."
    ),
    "demand": (
        "It tells him what he must do ({match}). A request leaves him room to say yes."
    ),
    "insult": "It insults him ({match}). Whatever happened, this won't help you; don't send it.",
    "threat": "It reads as a threat ({match}). Don't send it; talk to someone you trust first.",
    "narration": (
        "It's a long play-by-play of your day. Pick the highlight and let him ask for the rest."
    ),
}
CHECK_GOOD_LABELS: Final[dict[str, str]] = {
    "plan_proposal": "A clear plan is easy to say yes to.",
    "appreciation": "Thanks for something specific always lands.",
    "affection": "Warmth is good to send when it's real.",
    "boundary": "Saying plainly what you need is allowed.",
    "playful": "Light is good.",
}
CHECK_UNANSWERED = (
    "You wrote at {first} and he hasn't answered yet; 3 of his 4 replies come within {p75}. "
    "Give it until {until}."
)
CHECK_UNANSWERED_MANY = (
    "You've already written {n} since his last message ({last_his}). Let the next one be his; "
    "if you still want to send this, wait until {until}."
)
CHECK_UNANSWERED_OK = (
    "It's been {elapsed} since your message, longer than he usually takes ({p75}); one "
    "follow-up is fine."
)
CHECK_REPLYING = "You're answering his message from {ago} ago: go ahead."
CHECK_NO_HIM = "He hasn't written in this chat yet, so fonder can't compare with his usual timing."
CHECK_LATE = (
    "It's {clock} at yours and he rarely writes between {window}. It will still be true in the "
    "morning: send it after {until}."
)
CHECK_BALANCE = (
    "Lately you put in {share} of the effort: keep this one short and leave room for him."
)
CHECK_FINE = "Nothing in it or in the timing to hold you back."
CHECK_SAFETY = (
    "fonder saw messages from him with {what}; it doesn't coach timing in this chat. Your safety "
    "comes first: US 1-800-799-7233, UK 0808 2000 247, or your local emergency number."
)
CHECK_EMPTY = "There's nothing to check: the draft is empty."

VERDICT_WORDS: Final[dict[str, str]] = {
    "send": "Send it.",
    "wait": "Wait a little.",
    "rethink": "Rethink it.",
}

# Kinder rewrites: templates of our own, filled from the draft where a pattern allows.
REWRITE_REASSURANCE = (
    "I've been missing you this week. No pressure, I'd love to catch up when you have a moment."
)
REWRITE_COMPLIMENT = "Trying something new tonight, and I really like it 🙂"
REWRITE_CRITICISM_NEVER = (
    "It would mean a lot to me if you'd {action}. Can we talk about it when we see each other?"
)
REWRITE_CRITICISM_ALWAYS = (
    "I feel a bit let down when you {action}. Can we talk about it when we see each other?"
)
REWRITE_CRITICISM_NEVER_ARE = (
    "It would mean a lot to me if you'd be {action}. Can we talk about it when we see each other?"
)
REWRITE_CRITICISM_ALWAYS_ARE = (
    "I feel a bit let down when you're {action}. Can we talk about it when we see each other?"
)
REWRITE_CRITICISM = (
    "Something's been on my mind and I'd rather not do it by text. Can we talk tonight?"
)
REWRITE_DEMAND = "Could you {action} when you get a moment?"
REWRITE_DEMAND_GENERIC = "When you have a moment, could you get back to me? No rush."

# --------------------------------------------------------------------------------------------
# Terminal report (fonder.report.terminal): headings, sentences and the helpers it reads with
# --------------------------------------------------------------------------------------------

TERM_NONE = "—"  # a value that is not there
TERM_YOU = "you"
TERM_THEM = "them"
TERM_UNKNOWN_NAME = "?"


def duration_exact(seconds: float | None) -> str:
    """A duration to the minute, as the terminal report shows it: 45 s, 12 min, 3 h 5 min, 2 d 4 h."""
    if seconds is None:
        return TERM_NONE
    s = int(round(seconds))
    if s < 60:
        return f"{s} s"
    m = s // 60
    if m < 60:
        return f"{m} min"
    h, m = divmod(m, 60)
    if h < 48:
        return f"{h} h {m} min" if m else f"{h} h"
    d, h = divmod(h, 24)
    return f"{d} d {h} h" if h else f"{d} d"


def pct_or_none(x: float | None) -> str:
    """A share 0–1 as "57%", or "—" when there is none."""
    return TERM_NONE if x is None else pct(x)


def day_year(d: date | datetime | None) -> str:
    """"3 May 2026"."""
    if d is None:
        return TERM_NONE
    return f"{day(d)} {d.year}"


def day_clock(t: datetime) -> str:
    """"3 Aug 20:05"."""
    return f"{day(t)} {clock(t)}"


TERM_SPAN = "{first} – {last}"

# import, chats, imports, tone
TERM_IMPORTED = "Imported {source}: chat with {them} ({platform}), {span}."
TERM_IMPORTED_COUNTS = (
    "{messages} messages ({senders}); {added} new, {known} already known. You are {me}."
)
TERM_NO_MESSAGES = "no messages"
TERM_NO_CHATS = (
    "No chats yet. Export one from your phone and run: "
    "fonder import \"WhatsApp Chat with NAME.zip\" --me YOUR_NAME"
)
TERM_CHATS_COLUMNS: Final[tuple[str, ...]] = (
    "chat", "with", "you", "platform", "messages", "from", "to",
)
TERM_NO_IMPORTS = "No imports yet."
TERM_LEDGER_COLUMNS: Final[tuple[str, ...]] = (
    "when", "file", "format", "chat", "rows", "new", "known", "sha256",
)
TERM_NO_TONE_LABELS = "no labels"
TERM_VALENCE = "valence {valence:+.2f}"

# the report
TERM_REPORT_TITLE = "fonder · you ({me}) and {them}"
TERM_REPORT_SUBTITLE = (
    "{platforms} · {span} · {total} messages (you {me_n}, {them} {them_n})"
)
TERM_REPORT_EMPTY = "There are no messages in this window."
TERM_TOP_ACTIONS = "This week, three things"
TERM_FINDINGS_RULE = "What fonder sees, principle by principle"
TERM_RESEARCH = "research: {research}"
TERM_SAFETY_RULE = "Your safety comes first"

TERM_CONVERSATIONS = "Who reaches out"
TERM_CONVERSATIONS_LINE = (
    "{total} conversations; you started {mine} ({share}), {them} started {theirs}."
)
TERM_LATENCY = "How long replies take"
TERM_LATENCY_LINE = (
    "{name}: usually {median}; one in four replies takes longer than {p75}."
)
TERM_FOLLOW_UPS = "Messages sent again before a reply"
TERM_FOLLOW_UPS_LINE = (
    "{name}: {count} follow-ups with no reply in between; longest run {streak} in a row."
)
TERM_SHARES = "Your share (you ◀ ▶ {them})"
TERM_SHARE_ROWS: Final[dict[str, str]] = {
    "messages": "messages",
    "words": "words",
    "questions": "questions",
    "composite": "effort overall",
}

TERM_PULL_AWAY = "Is {them} pulling away?"
TERM_PULL_TOO_EARLY = "Not enough data to say yet ({reason})."
TERM_PULL_TOO_FEW_WEEKS = "too few weeks"
TERM_RATIO_MORE = "{ratio:.1f}× {what}"
TERM_RATIO_LESS = "{pct:.0f}% {what}"
TERM_PULL_CHANGES: Final[dict[str, tuple[str, str]]] = {  # (when it went up, when it went down)
    "latency_ratio": ("longer to reply", "faster replies"),
    "volume_ratio": ("more messages", "fewer messages"),
    "length_ratio": ("longer messages", "shorter messages"),
}
TERM_PULL_STARTS_MORE = "more of the conversations started by him ({points:+.0f} points)"
TERM_PULL_STARTS_FEWER = "fewer of the conversations started by him ({points:+.0f} points)"
TERM_PULL_YES = (
    "Yes, since {since} (confidence {confidence}): {changes}, compared with his own earlier weeks."
)
TERM_PULL_JOIN = "; "
TERM_PULL_DIFFERENT = "he writes differently"
TERM_PULL_NO = "No: {them}'s pace is steady against his own earlier weeks."
TERM_PULL_SPARK_LATENCY = "his reply time, weekly   {spark}"
TERM_PULL_SPARK_MESSAGES = "his messages, weekly     {spark}"

TERM_LONGING = "Does {them} miss you?"
TERM_LONGING_RATE = " ({rate:.1f} a month)"
TERM_LONGING_LINE = (
    "{them} wrote that he misses you or can't wait to see you {them_n} times{per_month}; "
    "you did {me_n} times. He said it first {first_them} times, you {first_me}."
)
TERM_LONGING_MONTHS = "his, month by month      {spark}  ({counts})"
TERM_ABSENCE_AFTER = ", after {median} (median)"
TERM_ABSENCE_LINE = (
    "{silences} times you went quiet for a day or more; {them} reached out first "
    "{reached} times{after}."
)

TERM_BALANCE = "Is the effort mutual?"
TERM_BALANCE_SPARK = "your share of the effort, weekly  {spark}  (now {now})"
TERM_BALANCE_LAST_WEEK = "This last week"
TERM_BALANCE_LAST_WEEKS = "The last {weeks} weeks in a row"
TERM_BALANCE_OVER = "{span} you carried more than {threshold} of it."
TERM_PURSUE = "When his replies slowed, your follow-ups rose ({reading} link, r = {r:.2f})."

TERM_STYLE = "How you write to each other"
TERM_STYLE_LINE = (
    "style matching {lsm:.2f} (1 = the same small words in the same measure); "
    "'we/us/our' per 100 words: you {me_we:.1f}, {them} {them_we:.1f}."
)

# the plan
TERM_PLAN_TITLE = "Your next seven days · {span}"
TERM_PLAN_SAFETY = "Your safety comes first: see the safety section of your report."
TERM_PLAN_SPACE = "Space for {them} to reach you"
TERM_PLAN_OWN_LIFE = "For your own week"
TERM_PLAN_DATE_IDEAS = "Five things you haven't done together"

# the draft check
TERM_VERDICT: Final[dict[str, str]] = {"send": "SEND", "wait": "WAIT", "rethink": "RETHINK"}
TERM_CHECK_UNTIL = "until {day} {clock}"
TERM_CHECK_LABELS = "labels: {labels}"
TERM_CHECK_KINDER = "Kinder, and closer to what you mean:"

# --------------------------------------------------------------------------------------------
# Command line (fonder.cli): what the ``fonder`` command says besides the report
# (the --help texts stay with the options they describe)
# --------------------------------------------------------------------------------------------

CLI_ERROR = "Error: {error}"
CLI_STOPPED = "Stopped. Nothing was changed."
CLI_SERVE_STOPPED = "fonder is no longer serving. Your chats stay in your store."
CLI_BUG = (
    "Error: fonder hit a bug ({kind}) — in 'fonder {command}' — run the same command again "
    "with --debug to see the details, and report it."
)
CLI_PROGRESS_START = "starting"
CLI_ASK_ME = "Which of these people are you?"
CLI_ASK_NUMBER = "Number"
CLI_ASK_NUMBER_AGAIN = "Please type a number from 1 to {n}."
CLI_LEFT_OUT_GROUPS = "Left out {n} group chats: fonder coaches one-to-one chats."
CLI_IMPORTED_OF = "{done} of {total} imported."
CLI_DATE_ORDER = (
    "The dates in {file} could be day/month or month/day (for example {first} or {last})."
)
CLI_DATE_ORDER_PROMPT = "Which order? (dmy / mdy)"
CLI_BAD_DATE_ORDER = "'{value}' is not a date order — --date-order — use dmy or mdy."
CLI_LINK_SUGGESTION = (
    "These look like the same person ({them}) on {platforms}: join them with  fonder link {ids}"
)
CLI_AND = " and "
CLI_BAD_DATE = "'{value}' is not a date — {option} — write it as YYYY-MM-DD, e.g. 2026-05-01."
CLI_BAD_TIME = (
    "'{value}' is not a time — --at — write it as YYYY-MM-DDTHH:MM, e.g. 2026-10-01T21:30."
)
CLI_REDACT_ALONE = (
    "--redact changes what is written — --redact — use it with --html FILE or --json."
)
CLI_WORKING_REPORT = "Reading the chat…"
CLI_WORKING_PLAN = "Planning your week…"
CLI_WORKING_CHECK = "Reading the conversation…"
CLI_PAGE_UNWRITABLE = "The page cannot be written ({reason}) — {path} — choose another place."
CLI_WROTE_HTML = "Wrote the report to {path}. Open it in any browser."
CLI_WROTE_HTML_REDACTED = (
    "Wrote the report to {path} (names and messages hidden). Open it in any browser."
)
CLI_LINKED_CHAT = "{platform} ({messages} messages)"
CLI_LINKED = "Joined into one timeline: {chats}. Reports, plans and checks now read them together."
CLI_UNLINKED = "Done: it stands on its own again."
CLI_NOT_LINKED = "That chat was not joined with another."
CLI_EXPORTED = "Wrote {rows} messages to {path}."
CLI_FORGET_NEEDS_YES = (
    "Forgetting a chat cannot be undone — {chat} — run again with --yes to confirm."
)
CLI_FORGET_LABEL = "{them} ({messages} messages)"
CLI_FORGET_CONFIRM = "Remove the chat with {label} for good?"
CLI_FORGET_KEPT = "Nothing was removed."
CLI_FORGOT = "Forgot the chat with {name}: {rows} rows removed."
CLI_TONE_NEEDS_TEXT = (
    "Give a message to label — fonder tone \"are you mad at me?\" — or use --json with lines on "
    "stdin."
)
CLI_DEMO_WRITTEN = "Made-up export written: {name}"
CLI_DEMO_IMPORT = "$ fonder import \"{name}\" --me {me} --tz {tz}"
CLI_DEMO_REPORT = "$ fonder report"
CLI_DEMO_KEPT = "\nThe demo store is kept at {db} (use it with --db)."
CLI_DEMO_HTML = "\n$ fonder report --html report.html      # the same report as one page, with charts"
CLI_DEMO_HTML_KEPT = "  written: {path}"
CLI_DEMO_PLAN = "\n$ fonder plan"
CLI_DEMO_CHECK = "\n$ fonder check \"{draft}\" --at {at}"
#: The draft the demo checks (a made-up message of the demo's storyline).
DEMO_DRAFT = "are you mad at me?"
