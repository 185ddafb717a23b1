"""WhatsApp chat exports: the ``.txt`` file that "Export chat" writes on Android and iOS.

A WhatsApp export is plain text, one message per header line::

    31/12/2023, 21:41 - Daniel: see you tomorrow            (Android)
    [31/12/2023, 21:41:05] Daniel: see you tomorrow         (iOS)

followed by any number of continuation lines for multi-line messages. Everything else
varies with the phone's locale and settings: the date order (d/m/y, m/d/y, y/m/d), its
separator, two- or four-digit years, the comma, seconds, a 12- or 24-hour clock with
``AM``/``am``/``a. m.`` behind a U+202F or U+00A0, ``HH.MM`` times, the Finnish ``klo``,
invisible marks (U+200E, U+200F, U+FEFF, bidi embeddings around phone numbers) and every
placeholder (``<Media omitted>``, ``image omitted``, ``This message was deleted``, call
lines, system notices), which are written in the phone's language.

How this module reads one:

1. The layout (brackets, separators, clock, `` - `` or ``] ``) is detected once, from the
   first few hundred lines, with a permissive pattern (:func:`_detect_layout`).
2. One streaming pass over the bytes, on every core, splits the lines (Polars' CSV reader
   with one column and no quoting, which also handles CRLF and a leading BOM) and reads
   each line's header with the strict pattern for that layout (:func:`_fields`). A line
   that does not match is a continuation of the message before it. The few lines holding
   invisible marks are cleaned and read again; iOS's "not typed by a person" mark (U+200E
   right after ``Name: ``) is kept as a one-byte flag (U+001F) until kinds are decided.
3. The date order is decided once per file from evidence (:func:`_infer_date_order`), or
   taken from ``ParseOptions.date_order``; local times become UTC once per distinct hour.
4. Kinds (media, deleted, calls, locations, system lines, ...) are decided by anchored,
   multilingual patterns on the few rows that cheap passes pick as possibly special
   (:func:`_classify`); everything else is text.

No step loops over lines or messages in Python.
"""

from __future__ import annotations

import io
import re
import zoneinfo
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from fonder.errors import DateOrderUnknown, ParseError, UsageError
from fonder.ingest.base import (
    SNIFF_BYTES,
    ParsedChat,
    ParseOptions,
    Source,
    localize,
    machine_tz,
)
from fonder.model import conform

PLATFORM = "whatsapp"

#: Lines looked at to detect the layout, and the bytes they are read from.
DETECT_LINES = 400
HEAD_BYTES = 64 * 1024

#: Characters WhatsApp (or the phone) puts in exports that carry no text.
_INVISIBLE = "[\u200e\u200f\ufeff\u202a-\u202e\u2066-\u2069]"
#: Stands in for iOS's U+200E after ``Name: `` while kinds are decided (a control character
#: that no chat text contains).
_FLAG = "\x1f"


def _esc(phrase: str) -> str:
    """Escape ``phrase`` for both Python's ``re`` and Rust's ``regex`` (used by Polars)."""
    return re.sub(r"([\\.+*?()|\[\]{}^$#&~-])", r"\\\1", phrase)


def _alt(phrases: Iterable[str]) -> str:
    """A non-capturing alternation of literal phrases, longest first."""
    return "(?:" + "|".join(_esc(p) for p in sorted(set(phrases), key=len, reverse=True)) + ")"


# --------------------------------------------------------------------------------------
# What the exports say, in the languages we read (en, de, es, fr, it, nl, pt, ru, id, tr,
# and a few more where we have seen them). Matching is case-insensitive.
# --------------------------------------------------------------------------------------

#: Android, exported "without media": the whole body.
_OMITTED_ANDROID = (
    "<Media omitted>",
    "<Medien ausgeschlossen>",
    "<Medien weggelassen>",
    "<Multimedia omitido>",
    "<Archivo multimedia omitido>",
    "<Médias omis>",
    "<Media omessi>",
    "<Media weggelaten>",
    "<Mídia oculta>",
    "<Arquivo de mídia oculto>",
    "<Multimédia omitido>",
    "<Ficheiro multimédia omitido>",
    "<Без медиафайлов>",
    "<Media tidak disertakan>",
    "<Medya dahil edilmedi>",
    "<Medya atlandı>",
    "<Média vynechány>",
    "<Media pominięte>",
)

#: iOS, exported "without media": ``<type> omitted``, by media type.
_OMITTED_IOS: dict[str, tuple[str, ...]] = {
    "image": (
        "image omitted", "photo omitted", "Bild weggelassen", "Foto weggelassen",
        "imagen omitida", "foto omitida", "image absente", "image omise", "photo absente",
        "immagine omessa", "foto omessa", "afbeelding weggelaten", "foto weggelaten",
        "imagem ocultada", "imagem omitida", "foto ocultada", "изображение отсутствует",
        "фото отсутствует", "gambar tidak disertakan", "foto tidak disertakan",
        "görüntü dahil edilmedi", "fotoğraf dahil edilmedi",
    ),
    "video": (
        "video omitted", "Video weggelassen", "video omitido", "vídeo omitido",
        "vidéo absente", "vidéo omise", "video omesso", "video weggelaten",
        "vídeo ocultado", "видео отсутствует", "video tidak disertakan",
        "video dahil edilmedi",
    ),
    "audio": (
        "audio omitted", "Audio weggelassen", "audio omitido", "audio omis", "audio absent",
        "audio omesso", "audio weggelaten", "áudio ocultado", "áudio omitido",
        "аудиофайл отсутствует", "аудио отсутствует", "audio tidak disertakan",
        "ses dahil edilmedi", "ses kaydı dahil edilmedi",
    ),
    "sticker": (
        "sticker omitted", "Sticker weggelassen", "sticker omitido", "autocollant omis",
        "sticker omis", "sticker omesso", "sticker weggelaten", "figurinha omitida",
        "figurinha ocultada", "стикер отсутствует", "stiker tidak disertakan",
        "çıkartma dahil edilmedi",
    ),
    "gif": (
        "GIF omitted", "GIF weggelassen", "GIF omitido", "GIF retiré", "GIF absent",
        "GIF omis", "GIF omessa", "GIF omesso", "GIF weggelaten", "GIF ocultado",
        "GIF отсутствует", "GIF tidak disertakan", "GIF dahil edilmedi",
    ),
    "document": (
        "document omitted", "Dokument weggelassen", "documento omitido", "document omis",
        "document absent", "documento omesso", "document weggelaten", "documento ocultado",
        "документ отсутствует", "dokumen tidak disertakan", "belge dahil edilmedi",
    ),
    "contact": (
        "Contact card omitted", "Kontaktkarte weggelassen", "tarjeta de contacto omitida",
        "fiche contact omise", "carte de contact omise", "scheda contatto omessa",
        "contactkaart weggelaten", "cartão de contato omitido", "cartão de contacto omitido",
        "карточка контакта отсутствует", "kartu kontak tidak disertakan",
        "kişi kartı dahil edilmedi",
    ),
}

#: Android, exported "with media": ``FILE (file attached)``.
_ATTACHED_ANDROID = (
    "file attached", "Datei angehängt", "archivo adjunto", "fichier joint",
    "file allegato", "bestand bijgevoegd", "arquivo anexado", "ficheiro anexado",
    "файл добавлен", "file terlampir", "dosya ekli", "soubor byl přiložen",
    "załączony plik",
)

#: iOS, exported "with media": ``<attached: FILE>``.
_ATTACHED_IOS = (
    "attached", "Anhang", "angehängt", "adjunto", "pièce jointe", "allegato", "bijgevoegd",
    "anexo", "anexado", "прикреплено", "terlampir", "lampiran", "eklendi", "eklenti",
    "příloha", "załączono",
)

_DELETED = (
    "This message was deleted", "You deleted this message",
    "Diese Nachricht wurde gelöscht", "Du hast diese Nachricht gelöscht",
    "Sie haben diese Nachricht gelöscht",
    "Se eliminó este mensaje", "Eliminaste este mensaje", "Este mensaje fue eliminado",
    "Ce message a été supprimé", "Vous avez supprimé ce message",
    "Questo messaggio è stato eliminato", "Hai eliminato questo messaggio",
    "Dit bericht is verwijderd", "Je hebt dit bericht verwijderd",
    "U hebt dit bericht verwijderd",
    "Esta mensagem foi apagada", "Você apagou esta mensagem", "Mensagem apagada",
    "Apagou esta mensagem", "Esta mensagem foi eliminada", "Eliminou esta mensagem",
    "Данное сообщение удалено", "Вы удалили данное сообщение", "Это сообщение удалено",
    "Вы удалили это сообщение",
    "Pesan ini telah dihapus", "Pesan ini dihapus", "Anda menghapus pesan ini",
    "Bu mesaj silindi", "Bu mesajı sildiniz",
)

_EDITED = (
    "This message was edited", "Diese Nachricht wurde bearbeitet",
    "Se editó este mensaje", "Mensaje editado", "Ce message a été modifié",
    "Message modifié", "Questo messaggio è stato modificato", "Messaggio modificato",
    "Dit bericht is bewerkt", "Bericht bewerkt", "Esta mensagem foi editada",
    "Mensagem editada", "Сообщение изменено", "Сообщение отредактировано",
    "Pesan ini telah diedit", "Pesan ini diedit", "Pesan diedit", "Bu mesaj düzenlendi",
    "Mesaj düzenlendi",
)

_CALL = (
    "Voice call", "Video call", "Group voice call", "Group video call",
    "Sprachanruf", "Videoanruf", "Gruppen-Sprachanruf", "Gruppen-Videoanruf",
    "Llamada de voz", "Videollamada", "Appel vocal", "Appel vidéo",
    "Chiamata vocale", "Videochiamata", "Spraakoproep", "Video-oproep", "Videogesprek",
    "Chamada de voz", "Chamada de vídeo", "Videochamada",
    "Аудиозвонок", "Видеозвонок", "Голосовой звонок",
    "Panggilan suara", "Panggilan video", "Sesli arama", "Görüntülü arama",
)

_MISSED = (
    "Missed voice call", "Missed video call", "Missed group voice call",
    "Missed group video call", "Silenced voice call", "Silenced video call",
    "Verpasster Sprachanruf", "Verpasster Videoanruf", "Verpasster Gruppenanruf",
    "Llamada perdida", "Llamada de voz perdida", "Videollamada perdida",
    "Appel vocal manqué", "Appel vidéo manqué", "Appel manqué",
    "Chiamata vocale persa", "Videochiamata persa", "Chiamata persa",
    "Gemiste spraakoproep", "Gemiste video-oproep", "Gemiste oproep",
    "Chamada de voz perdida", "Chamada de vídeo perdida", "Chamada perdida",
    "Пропущенный аудиозвонок", "Пропущенный видеозвонок", "Пропущенный звонок",
    "Panggilan suara tak terjawab", "Panggilan video tak terjawab",
    "Panggilan tak terjawab",
    "Cevapsız sesli arama", "Cevapsız görüntülü arama", "Cevapsız arama",
)

_NO_ANSWER = (
    "No answer", "Keine Antwort", "Nicht angenommen", "Sin respuesta", "No contestada",
    "Pas de réponse", "Nessuna risposta", "Geen antwoord", "Sem resposta", "Não atendida",
    "Нет ответа", "Tidak dijawab", "Tidak ada jawaban", "Cevap yok", "Yanıt yok",
)

_TAP_TO_CALL_BACK = (
    "Tap to call back", "Zum Zurückrufen tippen", "Toca para devolver la llamada",
    "Appuyez pour rappeler", "Tocca per richiamare", "Tik om terug te bellen",
    "Toque para retornar a chamada", "Toque para ligar de volta",
    "Нажмите, чтобы перезвонить", "Ketuk untuk menelepon balik",
    "Geri aramak için dokunun",
)

_LOCATION = (
    "location", "Standort", "ubicación", "localisation", "position", "posizione",
    "locatie", "localização", "местоположение", "геопозиция", "lokasi", "konum", "poloha",
)

_LIVE_LOCATION = (
    "live location shared", "Live-Standort wird geteilt", "Live-Standort geteilt",
    "Ubicación en tiempo real compartida", "Position en direct partagée",
    "Posizione attuale condivisa", "Live locatie gedeeld",
    "Localização em tempo real compartilhada", "Геоданные транслируются",
    "Lokasi terkini dibagikan", "Canlı konum paylaşıldı",
)

_POLL = ("POLL", "UMFRAGE", "ENCUESTA", "SONDAGE", "SONDAGGIO", "PEILING", "ENQUETE",
         "ОПРОС", "POLLING", "ANKET")

#: System notices that are recognisable from their words alone, even with a sender (iOS
#: writes the chat's name as the sender of these): how they start...
_ENCRYPTION_START = (
    "Messages and calls are", "Messages to this group", "Messages to this chat",
    "Messages you send to this", "Nachrichten und Anrufe sind", "Nachrichten, die du",
    "Los mensajes y las llamadas", "Los mensajes que envías", "Les messages et les appels",
    "Les messages envoyés", "I messaggi e le chiamate", "I messaggi inviati",
    "Berichten en gesprekken", "Berichten die je", "As mensagens e as chamadas",
    "As mensagens e chamadas", "As mensagens que você", "Сообщения и звонки",
    "Сообщения, которые вы", "Pesan dan panggilan", "Pesan yang Anda",
    "Mesajlar ve aramalar", "Bu sohbete gönderdiğiniz",
)
_SECURITY_START = (
    "Your security code with", "Dein Sicherheitscode", "Ihr Sicherheitscode",
    "Tu código de seguridad", "Votre code de sécurité", "Il tuo codice di sicurezza",
    "Je beveiligingscode", "Uw beveiligingscode", "Seu código de segurança",
    "O seu código de segurança", "O código de segurança", "Ваш код безопасности",
    "Kode keamanan Anda", "Kode keamanan",
)
#: ... and what they say further on.
_SYSTEM_STRONG = (
    "^" + _alt(_ENCRYPTION_START) + r"[^\n]*(?:end-to-end|Ende-zu-Ende|extremo a extremo"
    r"|bout en bout|ponta a ponta|сквозн|uçtan uca)",
    "^" + _alt(_SECURITY_START) + r"[^\n]*(?:changed|geändert|cambió|changé|cambiato"
    r"|gewijzigd|mudou|alterad|изменил|berubah|değişti)",
    r"^[^\n]*(?:'s security code changed|güvenlik kodunuz değişti)",
)

#: System notices whose words a person could also type: only taken as system when the line
#: has no sender (Android) or carries iOS's "not typed" mark.
_SYSTEM_WEAK = (
    # number changes
    r"changed (?:their|his|her) phone number|changed their number|changed to \+"
    r"|Telefonnummer geändert|neue Telefonnummer|gewechselt|cambió su número"
    r"|cambió de número|changé de numéro|changé son numéro|cambiato (?:il )?numero"
    r"|nieuw telefoonnummer|telefoonnummer gewijzigd|mudou (?:o|seu) número"
    r"|alterou (?:o|seu) número|номер телефона|сменил[а]? номер|mengganti nomor"
    r"|telefon numarasını değiştirdi",
    # disappearing messages
    r"disappearing messages|selbstlöschende Nachrichten|verschwindende Nachrichten"
    r"|mensajes temporales|messages éphémères|messaggi effimeri|verdwijnende berichten"
    r"|mensagens temporárias|исчезающие сообщения|pesan sementara|süreli mesaj",
    # blocking
    r"blocked this contact|unblocked this contact|Kontakt blockiert|Kontakt freigegeben"
    r"|bloqueaste este contacto|desbloqueaste este contacto|bloqué ce contact"
    r"|débloqué ce contact|bloccato questo contatto|sbloccato questo contatto"
    r"|contact geblokkeerd|contact gedeblokkeerd|bloqueou este contato"
    r"|desbloqueou este contato|заблокировали этот контакт|разблокировали этот контакт"
    r"|memblokir kontak ini|kişiyi engellediniz",
    # group events
    r"created group|created this group|added |removed | left$| left\.$|joined using"
    r"|changed the subject|changed this group's|changed the group|now an admin"
    r"|deleted this group's icon|hat die Gruppe|hat .+ hinzugefügt|hat .+ entfernt"
    r"|ist beigetreten|hat den Betreff|creó el grupo|añadió a|eliminó a|salió del grupo"
    r"|^.{1,60} salió$|cambió el asunto|a créé le groupe|a ajouté|a retiré|est parti"
    r"|a quitté|a modifié le sujet|ha creato il gruppo|ha aggiunto|ha rimosso|è uscito"
    r"|ha abbandonato|heeft groep|toegevoegd|is vertrokken|heeft de groep verlaten"
    r"|criou o grupo|adicionou|removeu|saiu$|создал[аи]? групп|добавил|удалил[аи]? "
    r"|вышел|вышла|membuat grup|menambahkan|mengeluarkan|keluar$|grubu oluşturdu|ekledi"
    r"|çıkardı|ayrıldı",
)

#: A "sender" that is really the start of a system line holding ``": "`` (Android group
#: subjects with a colon, notices with a link).
_SYSTEM_SENDER = (
    r"(?i)^(?:Messages and calls|Messages to this|Nachrichten und Anrufe|Los mensajes"
    r"|Les messages|I messaggi|Berichten en|As mensagens|Сообщения и|Pesan dan|Mesajlar ve)"
    r"|changed the subject|changed the group|hat den Betreff|cambió el asunto"
    r"|a modifié le sujet|ha cambiato l'oggetto|heeft het onderwerp|mudou o assunto"
    r"|изменил[аи]? тему|mengubah subjek|konuyu değiştirdi|created group|hat die Gruppe"
    r"|creó el grupo|a créé le groupe|ha creato il gruppo|criou o grupo"
)

# Call durations: "12 min", "1 hr 3 min", "45 sec", "1 Std. 3 Min.", "(3 min 42 sec)", "12:30".
_HOURS = (r"(?i)([0-9]+)\s*(?:h|hr|hrs|hours?|std|stunden?|heures?|horas?|ore|ora|uur|ч"
          r"|час\w*|jam|saat|sa)\b")
_MINUTES = (r"(?i)([0-9]+)\s*(?:m|min|mins|minutes?|minuten?|minutos?|minuti|mnt|menit|мин"
            r"|минут\w*|dk|dakika)\b")
_SECONDS = (r"(?i)([0-9]+)\s*(?:s|sec|secs|seconds?|sek|sekunden?|segundos?|secondes?"
            r"|secondi|seconden|сек|секунд\w*|detik|dtk|sn|saniye)\b")
_CLOCK = r"^\(?([0-9]+):([0-9]{2})(?::([0-9]{2}))?\)?$"

# Pattern strings for Polars (Rust regex syntax: no look-around, no backreferences).
_RE_EDITED = r"(?i)\s*<" + _alt(_EDITED) + r"\.?>$"
_RE_DELETED = r"(?i)^" + _alt(_DELETED) + r"\.?$"
_RE_OMITTED_ANDROID = r"(?i)^" + _alt(_OMITTED_ANDROID) + r"$"
_RE_OMITTED_IOS = (r"(?i)^(?:[^\n]*\s)?("
                   + _alt(p for ps in _OMITTED_IOS.values() for p in ps) + r")\.?$")
_RE_ATTACHED_ANDROID = r"(?i)^([^\n]+?)\s\(" + _alt(_ATTACHED_ANDROID) + r"\)$"
_RE_ATTACHED_IOS = r"(?i)^(?:[^\n]*?)<" + _alt(_ATTACHED_IOS) + r":\s*([^>\n]+)>$"
_RE_MISSED = (r"(?i)^(?:" + _alt(_MISSED) + r"(?:[.,]\s*" + _alt(_TAP_TO_CALL_BACK)
              + r"\.?)?|" + _alt(_CALL) + r"[.,]\s*" + _alt(_NO_ANSWER) + r"\.?)$")
_RE_CALL = r"(?i)^" + _alt(_CALL) + r"(?:[.,]?\s*\(?([0-9][^\n]*?)\)?)?\.?$"
_RE_LOCATION = (r"(?i)^" + _alt(_LOCATION) + r"\s?:\s*(https?://(?:maps\.google\.[a-z.]+"
                r"|www\.google\.[a-z.]+/maps|goo\.gl/maps|maps\.app\.goo\.gl|maps\.apple\.com"
                r"|foursquare\.com)\S*)$")
_RE_FOURSQUARE = r"^([^\n]+?):?\s(https://foursquare\.com/\S+)$"
_RE_LIVE_LOCATION = r"(?i)^" + _alt(_LIVE_LOCATION) + r"\.?$"
_RE_POLL = r"(?s)^" + _alt(_POLL) + r":\n(.*)$"
_RE_SYSTEM_STRONG = "(?i)" + "|".join(_SYSTEM_STRONG)
_RE_SYSTEM_WEAK = "(?i)" + "|".join(_SYSTEM_WEAK)

#: Cheap passes over every body pick the rows that could be anything but text: phrases
#: anchored at the start of the body...
_RE_PREFILTER_START = "(?i)^" + _alt(
    _DELETED + _OMITTED_ANDROID + _MISSED + _CALL + _LIVE_LOCATION + _ENCRYPTION_START
    + _SECURITY_START + tuple(p + ":" for p in _LOCATION + _POLL)
    + tuple(p + " :" for p in _LOCATION)
)
#: ... anchored at its end ("image omitted", "Resume.pdf • 2 pages document omitted",
#: "(file attached)", "<Media omitted>", "<attached: …>", the edited mark, "(3 min)")...
_ATTACHED_END = r"\(" + _alt(_ATTACHED_ANDROID) + r"\)"
_RE_PREFILTER_END = (
    r"(?i)(?:" + _alt(p.split()[-1] for ps in _OMITTED_IOS.values() for p in ps)
    + r"\.?|" + _ATTACHED_END + r"|<[^<>\n]*>|[0-9]\s?\p{L}{1,8}\.?\))$"
)
#: ... and inside it (an attachment with a caption below, a Foursquare place).
_PREFILTER_INSIDE = [")\n", ">\n", "foursquare.com/"]
#: Media type names for the words of ``_OMITTED_IOS`` (lower case).
_OMITTED_TYPE = {p.lower(): kind for kind, ps in _OMITTED_IOS.items() for p in ps}

# --------------------------------------------------------------------------------------
# Headers
# --------------------------------------------------------------------------------------

#: Permissive: any header WhatsApp writes, with the parts that tell layouts apart named.
_RE_ANY_HEADER = (
    r"^(?P<ob>\[)?(?P<d1>[0-9]{1,4})(?P<ds>[./-])\s?(?P<d2>[0-9]{1,2})[./-]\s?"
    r"(?P<d3>[0-9]{1,4})\.?,?\s+(?:klo\s+)?(?P<h>[0-9]{1,2})(?P<ts>[:.])(?P<mi>[0-9]{2})"
    r"(?:[:.](?P<s>[0-9]{2}))?(?:\s*(?P<ap>[AaPp])\.?\s?[Mm]\.?)?"
    r"(?P<sep>\]\s?|\s[-–]\s|:\s)"
)

#: A sender: anything up to the first ``": "`` (or a final ``":"`` when the body is empty).
#: Names holding a colon are rare and costly to match here; :func:`_merge_colon_names`
#: mends them afterwards.
_SENDER = r"(?:(?P<sender>[^:\n]+):(?:\s|$))?"


@dataclass(frozen=True)
class _Layout:
    """How one file writes its headers."""

    bracket: bool  # iOS: "[date, time] Name: text"
    date_sep: str  # "/", "." or "-"
    time_sep: str  # ":" or "."
    ampm: bool  # 12-hour clock
    dash: bool  # " - " after the time (else ": "); only without brackets
    year_first: bool = False  # a four-digit year leads the date
    us_clock: bool = False  # Android, "M/D/YY"-shaped dates and an upper-case AM/PM

    @property
    def clock_hint(self) -> str | None:
        """The date order the clock style points to, when it points anywhere.

        Android writes dates and times in the phone's locale (CLDR patterns). Among the
        locales that write ``d/d/yy`` with a slash and a 12-hour clock, the upper-case
        ``AM``/``PM`` is the US (and Philippine) English pattern, ``M/d/yy, h:mm a``; the
        day-first English locales (GB, IN, AU, NZ, SG, ...) write ``am``/``pm``. This is
        weaker evidence than the dates themselves and is used only when they settle nothing.
        """
        return "mdy" if self.us_clock else None

    @property
    def name(self) -> str:
        return "ios" if self.bracket else "android"

    def pattern(self) -> str:
        """The strict header pattern for this layout; group ``head`` is the whole prefix."""
        ds, ts = _esc(self.date_sep), _esc(self.time_sep)
        stamp = (
            rf"(?P<d1>[0-9]{{1,4}}){ds}\s?(?P<d2>[0-9]{{1,2}}){ds}\s?(?P<d3>[0-9]{{1,4}})\.?,?"
            rf"\s+(?:klo\s+)?(?P<h>[0-9]{{1,2}}){ts}(?P<mi>[0-9]{{2}})(?:{ts}(?P<s>[0-9]{{2}}))?"
        )
        if self.ampm:
            stamp += r"\s*(?P<ap>[AaPp])\.?\s?[Mm]\.?"
        if self.bracket:
            head = r"\[" + stamp + r"\]\s?"
        elif self.dash:
            head = stamp + r"\s[-–]\s"
        else:
            head = stamp + r":\s"
        return "^(?P<head>" + head + _SENDER + ")"


def _fields(layout: _Layout) -> Callable[..., pl.LazyFrame]:
    """A query reading the header of each line (column ``line``) in ``layout``.

    Its columns: ``is_head``, the date and time numbers (``d1 d2 d3 h mi s``), ``pm``,
    ``sender``, and ``text``: the body after the header, or the whole line when it is a
    continuation. Columns named in ``keep`` are passed through.
    """
    pattern = layout.pattern()
    line, head = pl.col("line"), pl.col("head")

    def read(rows: pl.LazyFrame, keep: list[str]) -> pl.LazyFrame:
        return (
            rows.with_columns(fields=line.str.extract_groups(pattern))
            .unnest("fields")
            .select(
                *keep,
                is_head=head.is_not_null(),
                **{c: pl.col(c).cast(pl.Int32) for c in ("d1", "d2", "d3", "h", "mi", "s")},
                pm=(pl.col("ap").str.to_lowercase() == "p") if layout.ampm else False,
                sender="sender",
                text=line.str.strip_prefix(head.fill_null("")),
            )
        )

    return read


def _detect_layout(lines: pl.Series) -> _Layout | None:
    """The layout most header-looking lines among ``lines`` follow, or ``None``."""
    found = (
        lines.str.extract_groups(_RE_ANY_HEADER)
        .struct.unnest()
        .filter(pl.col("d1").is_not_null())
    )
    if found.height == 0:
        return None

    def mode(expr: pl.Expr) -> object:
        return found.select(expr.mode().sort().first()).item()

    bracket = bool(mode(pl.col("ob").is_not_null() & pl.col("sep").str.starts_with("]")))
    return _Layout(
        bracket=bracket,
        date_sep=str(mode(pl.col("ds"))),
        time_sep=str(mode(pl.col("ts"))),
        ampm=bool(mode(pl.col("ap").is_not_null())),
        dash=bool(mode(pl.col("sep").str.contains("[-–]"))),
        year_first=bool(mode(pl.col("d1").str.len_bytes() == 4)),
        us_clock=not bracket
        and bool(
            mode(
                (pl.col("ds") == "/")
                & (pl.col("d3").str.len_bytes() == 2)
                & pl.col("ap").is_in(["A", "P"])
            )
        ),
    )


# --------------------------------------------------------------------------------------
# Reading lines
# --------------------------------------------------------------------------------------


def _stream(query: pl.LazyFrame) -> pl.DataFrame:
    """Run a row-by-row ``query`` on every core, in bounded memory.

    Polars runs one string expression over one column on one thread; its streaming engine
    cuts the rows into morsels and works on them in parallel, keeping their order.
    """
    return query.collect(engine="streaming")


def _prepare(data: bytes) -> bytes:
    """UTF-8 bytes without the unit separator (U+001F).

    The lines are split by Polars' CSV reader (one column, no quoting: the fastest line
    splitter available, which also handles CRLF and a leading BOM), told to use U+001F as
    its field separator; that character never occurs in a real export, and this module also
    needs it as a private marker, so it is dropped.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        data = data.decode("utf-16", errors="replace").encode("utf-8")
    if b"\x1f" in data:
        data = data.replace(b"\x1f", b"")
    return data


def _scan(data: bytes) -> pl.LazyFrame:
    """The lines of prepared ``data`` as a lazy frame with one column, ``line``."""
    return pl.scan_csv(
        io.BytesIO(data),
        has_header=False,
        separator="\x1f",
        quote_char=None,
        new_columns=["line"],
        infer_schema=False,
        encoding="utf8-lossy",
    ).select(pl.col("line").fill_null(""))


def _clean(lines: pl.Series) -> tuple[pl.Series, bool]:
    """Remove invisible marks, keeping iOS's "not typed" mark after ``Name: `` as a flag.

    Returns the lines and whether any flag was set.
    """
    dirty = lines.str.contains(_INVISIBLE)
    if not dirty.any():
        return lines, False
    where = dirty.arg_true()
    marked = lines.gather(where).str.replace_all(": \u200e", ": " + _FLAG, literal=True)
    flagged = bool(marked.str.contains(_FLAG, literal=True).any())
    fixed = marked.str.replace_all(_INVISIBLE, "")
    return lines.clone().scatter(where, fixed), flagged


def _decode_head(head: bytes, complete: bool) -> pl.Series:
    """The complete lines of the first bytes of a file, cleaned, to detect the layout.

    ``complete`` says ``head`` is the whole file (else its last line may be cut off).
    """
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = head.decode("utf-16", errors="replace")
    else:
        text = head.decode("utf-8", errors="replace")
    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    parts = text.split("\n")
    if len(parts) > 1 and not complete:
        parts = parts[:-1]
    return _clean(pl.Series("line", parts[: DETECT_LINES + 50], dtype=pl.String))[0]


# --------------------------------------------------------------------------------------
# Dates
# --------------------------------------------------------------------------------------

_ORDERS = ("dmy", "mdy", "ymd")


def _infer_date_order(fields: pl.DataFrame) -> str | None:
    """Day-first or month-first, from the evidence in ``fields`` (columns a, b, c).

    ``a`` and ``b`` are the first two fields of the dates, in file order, ``c`` the year.
    Returns ``"dmy"`` or ``"mdy"``, or ``None`` when nothing settles it. The rules, in
    order: a field above 12 is a day; read the wrong way round, dates run backwards more
    often; and days change more often than months.
    """
    if fields.height == 0:
        return None
    stats = fields.select(
        a_max=pl.col("a").max(),
        b_max=pl.col("b").max(),
    ).row(0, named=True)
    dmy_ok = stats["b_max"] <= 12
    mdy_ok = stats["a_max"] <= 12
    if dmy_ok != mdy_ok:
        return "dmy" if dmy_ok else "mdy"
    if not dmy_ok:
        return None
    # Only the moments the date changes carry evidence.
    moves = (
        fields.select("a", "b", "c")
        .filter(
            (pl.col("a") != pl.col("a").shift(1))
            | (pl.col("b") != pl.col("b").shift(1))
            | (pl.col("c") != pl.col("c").shift(1))
            | pl.int_range(pl.len()).eq(0)
        )
        .with_columns(
            dmy=pl.col("c") * 10_000 + pl.col("b") * 100 + pl.col("a"),
            mdy=pl.col("c") * 10_000 + pl.col("a") * 100 + pl.col("b"),
        )
        .select(
            back_dmy=(pl.col("dmy") < pl.col("dmy").shift(1)).sum(),
            back_mdy=(pl.col("mdy") < pl.col("mdy").shift(1)).sum(),
            moves_a=(pl.col("a") != pl.col("a").shift(1)).sum(),
            moves_b=(pl.col("b") != pl.col("b").shift(1)).sum(),
        )
        .row(0, named=True)
    )
    if moves["back_dmy"] != moves["back_mdy"]:
        return "dmy" if moves["back_dmy"] < moves["back_mdy"] else "mdy"
    a, b = moves["moves_a"], moves["moves_b"]
    if a >= 2 and a >= 2 * b + 1:
        return "dmy"
    if b >= 2 and b >= 2 * a + 1:
        return "mdy"
    return None


def _days_in_month(year: pl.Expr, month: pl.Expr) -> pl.Expr:
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    return (
        pl.when(month == 2)
        .then(pl.when(leap).then(29).otherwise(28))
        .when(month.is_in([4, 6, 9, 11]))
        .then(30)
        .otherwise(31)
    )


_US_PER_DAY = 86_400_000_000
_US_PER_HOUR = 3_600_000_000


def _wall_us(
    year: pl.Expr, month: pl.Expr, day: pl.Expr, hour: pl.Expr, minute: pl.Expr,
    second: pl.Expr,
) -> pl.Expr:
    """Microseconds since 1970-01-01 00:00 of a wall-clock time (no zone), from valid parts.

    Plain integer arithmetic (days from the civil date, for years after 0), which is several
    times faster than building datetimes from parts.
    """
    y = year.cast(pl.Int64) - (month <= 2).cast(pl.Int64)
    m = month.cast(pl.Int64)
    era = y // 400
    yoe = y - era * 400
    doy = (153 * (m + pl.when(m > 2).then(-3).otherwise(9)) + 2) // 5 + day.cast(pl.Int64) - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    days = era * 146_097 + doe - 719_468
    seconds = hour.cast(pl.Int64) * 3600 + minute.cast(pl.Int64) * 60 + second.cast(pl.Int64)
    return days * _US_PER_DAY + seconds * 1_000_000


def _to_utc(wall: pl.Series, tz: str) -> pl.Series:
    """UTC instants for wall-clock microseconds in zone ``tz``, exactly as
    :func:`fonder.ingest.base.localize` reads them, but computed once per distinct hour.

    An hour whose UTC offset is the same at its first and last second takes that offset
    for all its minutes; the rare hour in which a zone's offset changes part-way (zones
    with half-hour shifts) is localized row by row.
    """
    hour = wall - wall % _US_PER_HOUR
    hours = hour.unique().to_frame("hour").with_columns(
        start=pl.col("hour").cast(pl.Datetime("us")),
        end=(pl.col("hour") + _US_PER_HOUR - 1_000_000).cast(pl.Datetime("us")),
    )
    hours = hours.select(
        "hour",
        offset=localize(pl.col("start"), tz).dt.replace_time_zone(None).cast(pl.Int64)
        - pl.col("hour"),
        end_offset=localize(pl.col("end"), tz).dt.replace_time_zone(None).cast(pl.Int64)
        - pl.col("end").cast(pl.Int64),
    )
    steady = hours.filter(pl.col("offset") == pl.col("end_offset"))
    offset = hour.replace_strict(
        steady.get_column("hour"), steady.get_column("offset"), default=None,
        return_dtype=pl.Int64,
    )
    utc = (wall + offset).cast(pl.Datetime("us")).dt.replace_time_zone("UTC")
    if offset.null_count():
        where = offset.is_null().arg_true()
        rows = wall.gather(where).cast(pl.Datetime("us")).to_frame("t")
        utc = utc.scatter(where, rows.select(localize(pl.col("t"), tz)).to_series())
    return utc.alias("ts")


# --------------------------------------------------------------------------------------
# Titles
# --------------------------------------------------------------------------------------

_TITLE_PATTERNS = tuple(
    re.compile(p, re.IGNORECASE)
    for p in (
        r"^WhatsApp[ -]Chat (?:with|mit|met|con|avec|com|dengan|s uživatelem|z) (?P<t>.+)$",
        r"^WhatsApp[ -]Chat - (?P<t>.+)$",
        r"^WhatsApp[ -]Chat: (?P<t>.+)$",
        r"^(?:Chat|Conversa|Conversación|Discussion|Conversazione|Czat|Sohbet) (?:de |do |di |)"
        r"WhatsApp (?:con|com|avec|with|con|z|ile) (?P<t>.+)$",
        r"^Чат WhatsApp с (?:контактом )?(?P<t>.+)$",
        r"^Chat WhatsApp (?:con|dengan|avec|s) (?P<t>.+)$",
        r"^(?P<t>.+) ile WhatsApp Sohbeti$",
    )
)


def _title(source: Source) -> str | None:
    """The chat's name from the file name or the archive's, e.g. ``"Daniel"``."""
    stems = [Path(source.name).stem]
    if source.archive_stem:
        stems.append(source.archive_stem)
    for stem in stems:
        stem = re.sub(r"\s*\(\d+\)$", "", stem.strip())
        for pattern in _TITLE_PATTERNS:
            match = pattern.match(stem)
            if match:
                return match.group("t").strip()
    return None


# --------------------------------------------------------------------------------------
# Kinds
# --------------------------------------------------------------------------------------


def _duration_s(text: pl.Expr) -> pl.Expr:
    """Seconds in a call-length text such as ``12 min``, ``1 hr 3 min`` or ``12:30``."""
    clock = text.str.extract_groups(_CLOCK)
    c1 = clock.struct.field("1").cast(pl.Int64, strict=False)
    c2 = clock.struct.field("2").cast(pl.Int64, strict=False)
    c3 = clock.struct.field("3").cast(pl.Int64, strict=False)
    from_clock = pl.when(c3.is_not_null()).then(c1 * 3600 + c2 * 60 + c3).otherwise(c1 * 60 + c2)
    h = text.str.extract(_HOURS, 1).cast(pl.Int64, strict=False)
    m = text.str.extract(_MINUTES, 1).cast(pl.Int64, strict=False)
    s = text.str.extract(_SECONDS, 1).cast(pl.Int64, strict=False)
    from_units = pl.when(h.is_not_null() | m.is_not_null() | s.is_not_null()).then(
        h.fill_null(0) * 3600 + m.fill_null(0) * 60 + s.fill_null(0)
    )
    return pl.coalesce(from_clock, from_units).cast(pl.Int32)


def _classify(rows: pl.DataFrame) -> pl.DataFrame:
    """Kinds for candidate rows (columns sender, body, flag, sys_sender).

    Every pattern runs once, into a column; the kind and the other outputs are then read
    from those columns. Returns columns sender, kind, text, media, call_s, edited.
    """
    # The weak system patterns are slow on long texts and only count on unmarked lines.
    loose = rows.select(pl.col("flag") | pl.col("sender").is_null()).to_series()
    weak = pl.repeat(False, rows.height, dtype=pl.Boolean, eager=True).alias("weak")
    if loose.any():
        where = loose.arg_true()
        weak.scatter(where, rows.get_column("body").gather(where).str.contains(_RE_SYSTEM_WEAK))
    body = pl.col("body")
    rows = rows.with_columns(weak, edited=body.str.contains(_RE_EDITED))
    rows = rows.with_columns(
        body=pl.when(pl.col("edited")).then(body.str.replace(_RE_EDITED, "")).otherwise(body)
    )
    rest = body.str.extract(r"(?s)^[^\n]*\n(.*)$", 1).str.strip_chars()
    rows = rows.with_columns(
        first=body.str.extract(r"^([^\n]*)", 1),
        rest=pl.when(rest == "").then(None).otherwise(rest),
        empty=body.str.strip_chars() == "",
        poll=body.str.extract(_RE_POLL, 1),
        foursquare=body.str.extract_groups(_RE_FOURSQUARE),
        strong=body.str.contains(_RE_SYSTEM_STRONG),
    )
    first = pl.col("first")
    rows = rows.with_columns(
        ios_type=first.str.extract(_RE_OMITTED_IOS, 1)
        .str.to_lowercase()
        .replace_strict(_OMITTED_TYPE, default=None),
        file=pl.coalesce(
            first.str.extract(_RE_ATTACHED_ANDROID, 1), first.str.extract(_RE_ATTACHED_IOS, 1)
        ).str.strip_chars(),
        deleted=first.str.contains(_RE_DELETED),
        omitted=first.str.contains(_RE_OMITTED_ANDROID),
        missed=first.str.contains(_RE_MISSED),
        call_line=first.str.contains(_RE_CALL),
        call_text=first.str.extract(_RE_CALL, 1),
        location=first.str.extract(_RE_LOCATION, 1),
        live=first.str.contains(_RE_LIVE_LOCATION),
    )
    rows = rows.with_columns(
        call_s=_duration_s(pl.col("call_text")),
        place=pl.col("foursquare").struct.field("1"),
        place_url=pl.col("foursquare").struct.field("2"),
        sticker_file=pl.col("file").str.contains(r"(?i)^STK-|-STICKER-"),
        contact_file=pl.col("file").str.contains(r"(?i)\.vcf$"),
    )
    c = pl.col
    single = c("rest").is_null()
    # Typed words ("video call 2") are not a call line: without iOS's mark, a length is needed.
    is_call = c("call_line") & (c("flag") | c("call_s").is_not_null())
    system = c("sender").is_null() | c("sys_sender") | c("strong") | c("weak")
    has_file = c("file").is_not_null()
    kind = (
        pl.when(system).then(pl.lit("system"))
        .when(single & c("deleted")).then(pl.lit("deleted"))
        .when(c("omitted")).then(pl.lit("media"))
        .when(c("ios_type") == "sticker").then(pl.lit("sticker"))
        .when(c("ios_type") == "contact").then(pl.lit("contact"))
        .when(c("ios_type").is_not_null()).then(pl.lit("media"))
        .when(has_file & c("sticker_file")).then(pl.lit("sticker"))
        .when(has_file & c("contact_file")).then(pl.lit("contact"))
        .when(has_file).then(pl.lit("media"))
        .when(single & c("missed")).then(pl.lit("missed_call"))
        .when(single & is_call).then(pl.lit("call"))
        .when(c("location").is_not_null() | c("live") | c("place_url").is_not_null())
        .then(pl.lit("location"))
        .when(c("poll").is_not_null()).then(pl.lit("poll"))
        .when(c("empty")).then(pl.lit("media"))
        .otherwise(pl.lit("text"))
    )
    rows = rows.with_columns(kind=kind)
    kind = c("kind")
    media_kinds = kind.is_in(["media", "sticker", "contact"])
    text = (
        pl.when(kind == "system").then(
            pl.when(c("sys_sender"))
            .then(pl.concat_str([c("sender"), pl.lit(": "), body]))
            .otherwise(body)
        )
        .when(kind.is_in(["deleted", "call", "missed_call"])).then(None)
        .when(media_kinds).then(c("rest"))
        .when(kind == "location").then(
            pl.when(c("location").is_not_null()).then(c("rest"))
            .when(c("place_url").is_not_null()).then(c("place"))
            .otherwise(None)
        )
        .when(kind == "poll").then(c("poll"))
        .otherwise(body)
    )
    media = (
        pl.when(kind == "location").then(pl.coalesce(c("location"), c("place_url")))
        .when(~media_kinds).then(None)
        .when(has_file).then(c("file"))
        .when(c("ios_type").is_not_null()).then(c("ios_type"))
        .when(c("empty")).then(pl.lit("view_once"))
        .otherwise(pl.lit("unknown"))
    )
    return rows.select(
        sender=pl.when(kind == "system").then(None).otherwise(c("sender")),
        kind=kind,
        text=text,
        media=media,
        call_s=pl.when(kind == "call").then(c("call_s")).cast(pl.Int32),
        edited=c("edited"),
    )


# --------------------------------------------------------------------------------------
# The importer
# --------------------------------------------------------------------------------------


def _where(source: Source, line: int | None = None) -> str:
    """A position for :class:`ParseError`: the archive member and the line, as known."""
    parts = []
    if source.member is not None:
        parts.append(source.member)
    if line is not None:
        parts.append(f"line {line}")
    return ", ".join(parts)


def _check_tz(tz: str) -> str:
    try:
        zoneinfo.ZoneInfo(tz)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise UsageError(
            f"Unknown time zone {tz!r} — run again with --tz and a zone name such as "
            "Europe/Berlin"
        ) from exc
    return tz


class WhatsAppImporter:
    """Reads a WhatsApp ``.txt`` export (Android or iOS, any locale) into one chat."""

    name = "whatsapp"
    label = "WhatsApp"

    def sniff(self, source: Source) -> bool:
        """True when the first message line of ``source`` is a WhatsApp header."""
        head = source.head()
        if not head or (b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff"))):
            return False
        lines = _decode_head(head, complete=len(head) < SNIFF_BYTES)
        content = lines.filter(lines.str.strip_chars() != "")
        if content.len() == 0:
            return False
        layout = _detect_layout(content.head(DETECT_LINES))
        if layout is None:
            return False
        return bool(content.head(1).str.contains(layout.pattern()).item())

    def parse(self, source: Source, options: ParseOptions) -> list[ParsedChat]:
        """Read ``source``; one :class:`ParsedChat` per file."""
        tz = _check_tz(options.tz or machine_tz())
        if options.date_order is not None and options.date_order not in _ORDERS:
            raise UsageError(
                f"Unknown date order {options.date_order!r} — run again with --date-order "
                "dmy, mdy or ymd"
            )
        data = source.read_bytes()
        options.progress(0, 3, "Reading WhatsApp export")
        if not data or data.isspace():
            raise ParseError(
                source.path, _where(source),
                "the file is empty — export the chat again from WhatsApp",
            )
        data = _prepare(data)
        frame, layout, flagged = self._headers(source, data)
        del data
        options.progress(1, 3, "Reading WhatsApp export")
        order, order_from = self._date_order(source, frame, layout, options)
        frame = self._timestamps(source, frame, layout, order, tz)
        frame = self._senders(frame, flagged)
        options.progress(2, 3, "Reading WhatsApp export")
        messages = self._kinds(frame)

        # System rows have no sender, so these are the participants, in file order.
        participants = messages.get_column("sender").drop_nulls().unique(maintain_order=True)
        messages = messages.with_columns(
            tz=pl.lit(tz), seq=pl.int_range(pl.len(), dtype=pl.Int64)
        )
        if not messages.get_column("ts").is_sorted():
            messages = messages.sort("ts", maintain_order=True)
        messages = conform(messages)
        options.progress(3, 3, "Reading WhatsApp export")
        return [
            ParsedChat(
                platform=PLATFORM,
                messages=messages,
                participants=participants.to_list(),
                title=_title(source),
                tz=tz,
                details={
                    "date_order": order,
                    "date_order_from": order_from,
                    "layout": layout.name,
                    "clock": "12h" if layout.ampm else "24h",
                },
            )
        ]

    # -- steps -----------------------------------------------------------------------

    def _headers(self, source: Source, data: bytes) -> tuple[pl.DataFrame, _Layout, bool]:
        """One row per message: date and time fields, sender, body (continuations joined).

        Also returns the layout and whether iOS's "not typed" mark was seen.
        """
        head = _decode_head(data[:HEAD_BYTES], complete=len(data) <= HEAD_BYTES)
        nonblank = head.str.contains(r"\S")
        layout = _detect_layout(head.filter(nonblank)) if nonblank.any() else None
        if layout is None:
            raise ParseError(
                source.path, _where(source),
                "no line starts with a date and time the way WhatsApp writes them — check "
                "that this is a WhatsApp chat export (.txt)",
            )
        first_line = int(nonblank.arg_max())  # type: ignore[arg-type]
        fields = _fields(layout)
        # One pass over the raw lines on every core; the few lines that hold invisible marks
        # are cleaned and read again afterwards.
        line = pl.col("line")
        frame = _stream(
            _scan(data)
            .with_columns(raw=pl.when(line.str.contains(_INVISIBLE)).then(line))
            .pipe(fields, keep=["raw"])
        )
        raw = frame.get_column("raw")
        frame = frame.drop("raw")
        flagged = False
        if raw.null_count() < raw.len():
            where = raw.is_not_null().arg_true()
            lines, flagged = _clean(raw.gather(where))
            again = fields(lines.to_frame("line").lazy(), keep=[]).collect()
            frame = frame.with_columns(
                frame.get_column(c).scatter(where, again.get_column(c)) for c in frame.columns
            )
        is_head = frame.get_column("is_head")
        if not is_head[first_line]:
            raise ParseError(
                source.path, _where(source, first_line + 1),
                "the first message does not start with a date and time the way the rest of "
                "the file does — check that the file is a complete WhatsApp export",
            )
        heads = (
            frame.filter(is_head)
            .drop("is_head")
            .rename({"text": "body"})
            .with_columns(line_no=is_head.arg_true() + 1)
        )
        continuation = (
            frame.select("text", gid=is_head.cum_sum()).filter(~is_head & (pl.col("gid") > 0))
        )
        del frame
        if continuation.height:
            joined = (
                continuation.group_by("gid", maintain_order=True)
                .agg(pl.col("text").str.join("\n"))
                .with_columns(pl.col("text").str.strip_chars_end())
                .filter(pl.col("text") != "")
            )
            where = joined.get_column("gid") - 1
            bodies = heads.get_column("body").clone()
            longer = bodies.gather(where) + "\n" + joined.get_column("text")
            heads = heads.with_columns(bodies.scatter(where, longer))
        return heads, layout, flagged

    def _date_order(
        self, source: Source, frame: pl.DataFrame, layout: _Layout, options: ParseOptions
    ) -> tuple[str, str]:
        if options.date_order is not None:
            return options.date_order, "given"
        if layout.year_first:
            return "ymd", "inferred"
        order = _infer_date_order(frame.select(a="d1", b="d2", c="d3"))
        if order is None and layout.clock_hint is not None:
            return layout.clock_hint, "clock style"
        if order is None:
            raise DateOrderUnknown(
                "Cannot tell whether the dates are day-first or month-first — in "
                f"{source.display} — run again with --date-order dmy or mdy",
                ["dmy", "mdy"],
            )
        return order, "inferred"

    def _timestamps(
        self, source: Source, frame: pl.DataFrame, layout: _Layout, order: str, tz: str
    ) -> pl.DataFrame:
        d1, d2, d3 = pl.col("d1"), pl.col("d2"), pl.col("d3")
        year, month, day = {
            "dmy": (d3, d2, d1),
            "mdy": (d3, d1, d2),
            "ymd": (d1, d2, d3),
        }[order]
        year = pl.when(year < 100).then(year + 2000).otherwise(year)
        hour = pl.col("h")
        if layout.ampm:
            valid_hour = hour <= 12
            hour = hour % 12 + pl.when(pl.col("pm")).then(12).otherwise(0)
        else:
            valid_hour = hour <= 23
        minute = pl.col("mi")
        second = pl.col("s").fill_null(0)
        frame = frame.with_columns(year=year, month=month, day=day, hour=hour, second=second)
        y, m, d = pl.col("year"), pl.col("month"), pl.col("day")
        valid = (
            m.is_between(1, 12)
            & d.is_between(1, 31)
            & (d <= _days_in_month(y, m))
            & valid_hour
            & (minute <= 59)
            & (pl.col("second") <= 59)
        )
        bad = frame.filter(~valid)
        if bad.height:
            line = int(bad.get_column("line_no")[0])
            words = {"dmy": "day/month/year", "mdy": "month/day/year", "ymd": "year/month/day"}
            others = " or ".join(o for o in ("dmy", "mdy") if o != order)
            raise ParseError(
                source.path, _where(source, line),
                f"this date or time does not exist when read as {words[order]} — if the "
                f"date order is wrong, run again with --date-order {others}",
            )
        wall = _wall_us(y, m, d, pl.col("hour"), minute, pl.col("second"))
        frame = frame.select(wall=wall, sender="sender", body="body", line_no="line_no")
        return frame.with_columns(ts=_to_utc(frame.get_column("wall"), tz)).drop("wall")

    def _senders(self, frame: pl.DataFrame, flagged: bool) -> pl.DataFrame:
        """Clean senders: the iOS flag, ``~ `` prefixes, spaces, names that hold a colon."""
        if flagged:
            frame = frame.with_columns(
                flag=pl.col("body").str.starts_with(_FLAG),
                body=pl.col("body").str.replace_all(_FLAG, "", literal=True),
            )
        else:
            frame = frame.with_columns(flag=pl.lit(False))
        frame = _recover_colon_names(frame)
        names = frame.get_column("sender").drop_nulls().unique().to_list()
        if not names:
            return frame.with_columns(sys_sender=pl.lit(False))
        clean = {n: re.sub(r"^~\s*", "", n.strip()).strip() for n in names}
        system = [n for n in names if re.search(_SYSTEM_SENDER, n)]
        sender = pl.col("sender")
        frame = frame.with_columns(
            sender=sender
            if all(k == v for k, v in clean.items())
            else sender.replace_strict(clean, default=None),
            sys_sender=sender.is_in(system).fill_null(False) if system else pl.lit(False),
        )
        return _merge_colon_names(frame, sorted(set(clean.values())))

    def _kinds(self, frame: pl.DataFrame) -> pl.DataFrame:
        body = pl.col("body")
        candidate = (
            pl.col("flag")
            | pl.col("sys_sender")
            | pl.col("sender").is_null()
            | (body.str.len_bytes() == 0)
            | body.str.contains(_RE_PREFILTER_START)
            | body.str.contains(_RE_PREFILTER_END)
            | body.str.contains_any(_PREFILTER_INSIDE)
        )
        frame = frame.with_columns(
            _stream(frame.lazy().select(candidate=candidate)).to_series()
        )
        rows = frame.filter(pl.col("candidate"))
        out = frame.select(
            "ts", "sender",
            kind=pl.lit("text"),
            text=body,
            media=pl.lit(None, pl.String),
            call_s=pl.lit(None, pl.Int32),
            edited=pl.lit(False),
        )
        if rows.height == 0:
            return out
        where = frame.get_column("candidate").arg_true()
        special = _classify(rows.select("sender", "body", "flag", "sys_sender"))
        columns = {}
        for name in ("sender", "kind", "text", "media", "call_s", "edited"):
            column = out.get_column(name).clone()
            column.scatter(where, special.get_column(name).cast(column.dtype))
            columns[name] = column
        return out.with_columns(**columns)


def _recover_colon_names(frame: pl.DataFrame) -> pl.DataFrame:
    """Senders whose name holds a colon not followed by a space (``"Dr.:Who"``).

    The header pattern takes a sender only when no colon comes before the first ``": "``, so
    these lines arrive without a sender; read them again, slowly, since they are few.
    """
    loose = frame.get_column("sender").is_null()
    if not loose.any():
        return frame
    where = loose.arg_true()
    rows = frame.select("sender", "body").gather(where)
    found = rows.get_column("body").str.extract_groups(r"^([^\n]*?[^\s:]):(?:\s|$)(?s)(.*)$")
    name = found.struct.field("1")
    ok = name.str.contains(":", literal=True) & ~name.str.contains(_SYSTEM_SENDER) & (
        name.str.len_chars() <= 60
    )
    name = pl.select(pl.when(ok).then(name)).to_series()
    body = pl.select(pl.when(ok).then(found.struct.field("2")).otherwise(rows.get_column("body"))).to_series()
    if not name.is_not_null().any():
        return frame
    sender = frame.get_column("sender").clone().scatter(where, name)
    bodies = frame.get_column("body").clone().scatter(where, body)
    return frame.with_columns(sender=sender, body=bodies)


def _merge_colon_names(frame: pl.DataFrame, names: list[str]) -> pl.DataFrame:
    """Join names that themselves hold ``": "`` ("Maya: Work") back together.

    The header pattern splits a line at the first ``": "``, so a sender named
    ``"Maya: Work"`` arrives as sender ``"Maya"`` with every body starting ``"Work: "``.
    When every message of a sender (at least two) starts with the same such prefix, the
    prefix belongs to the name.
    """
    colon = pl.col("body").str.contains(": ", literal=True)
    # A sender with one message lacking ": " is ruled out; the first messages rule out most.
    early = (
        frame.head(5000)
        .filter(pl.col("sender").is_not_null())
        .group_by("sender")
        .agg(all_colon=colon.all())
    )
    ruled_out = set(early.filter(~pl.col("all_colon")).get_column("sender").to_list())
    suspects = [n for n in names if n not in ruled_out]
    if not suspects:
        return frame
    stats = (
        frame.filter(pl.col("sender").is_in(suspects))
        .group_by("sender")
        .agg(all_colon=colon.all(), n=pl.len())
        .filter(pl.col("all_colon") & (pl.col("n") >= 2))
    )
    if stats.height == 0:
        return frame
    suspects = stats.get_column("sender").to_list()
    prefix = pl.col("body").str.extract(r"^([^:\n]+?): ", 1)
    agreed = (
        frame.filter(pl.col("sender").is_in(suspects))
        .group_by("sender")
        .agg(p=prefix.first(), k=prefix.n_unique(), nulls=prefix.null_count())
        .filter((pl.col("k") == 1) & (pl.col("nulls") == 0))
    )
    if agreed.height == 0:
        return frame
    rename = {
        s: f"{s}: {p}" for s, p in zip(agreed.get_column("sender"), agreed.get_column("p"))
    }
    merged = pl.col("sender").is_in(list(rename))
    return frame.with_columns(
        body=pl.when(merged).then(pl.col("body").str.replace(r"^[^:\n]+?: ", "")).otherwise(
            pl.col("body")
        ),
        sender=pl.col("sender").replace(rename),
    )
