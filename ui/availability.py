"""The provider's day beside a booking form (intake's booking, the schedule's reschedule): the
cases booked with them that day at the office and the free windows between, the free slots for
the planned length as one-tap choices that set the form's start, and "Next free slot" across
days (mild.availability; one read per draw, db.queries.availability). Keys start with the
form's own prefix (`intake_book_<case id>`, `sched_new`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import streamlit as st

from db.queries.availability import provider_bookings
from db.queries.home import OfficeRow
from mild import messages
from mild.availability import (
    PROCEDURE_HOURS,
    SEARCH_DAYS,
    DayLine,
    Diary,
    ProviderDay,
    search_days,
)
from mild.board import format_minutes, stage_colour
from mild.booking import TURNOVER_MINUTES, check_planned_minutes
from mild.days import local_today, to_local
from mild.errors import RuleViolation
from services.common import Actor, now_utc
from ui import forms
from ui.format import local_moment, local_time, plain, zone_abbreviation
from ui.safe import failure_message, log, show_failure


@dataclass(frozen=True)
class Provider:
    id: int
    name: str


@dataclass(frozen=True)
class BookingForm:
    """The form the day sits beside, as it stands on this run: the case, its widgets' prefix,
    the day and start inputs a slot sets, its refusals, the button that books (named in "press
    ... to book it"), the office, the provider chosen and the planned minutes typed."""

    case_id: int
    key: str
    day_key: str
    start_key: str
    errors_key: str
    action: str
    office: OfficeRow
    provider: Provider | None
    minutes: object
    user: Actor

    @property
    def note_key(self) -> str:
        return f"{self.key}_next_note"

    @property
    def length(self) -> int | None:
        """The planned minutes, when booking would take them; None otherwise (the form refuses
        them beside their field when it is sent)."""
        try:
            return check_planned_minutes(self.minutes)  # type: ignore[arg-type]
        except RuleViolation:
            return None

    @property
    def next_label(self) -> str:
        return messages.NEXT_FREE_BUTTON.format(minutes=self.length or "the planned")

    def diary(self, first_day: dt.date, last_day: dt.date, now: dt.datetime) -> Diary:
        """The provider's cases at the office that bear on these days (one read)."""
        assert self.provider is not None
        booked = provider_bookings(
            self.office, self.provider.id, first_day, last_day, scope=self.user.office_ids
        )
        return Diary(tuple(booked), self.office.timezone, now, case_id=self.case_id)


def next_free_button(form: BookingForm) -> None:
    """ "Next free slot for N min": sets the form's day and start to the first free slot from
    the day chosen (or today) over SEARCH_DAYS days; what it found is said in the day view."""
    st.button(
        form.next_label,
        key=f"{form.key}_next",
        icon=":material/event_available:",
        width="stretch",
        disabled=form.provider is None or form.length is None,
        help=messages.NEXT_FREE_HELP.format(days=SEARCH_DAYS),
        on_click=_take_next_free,
        args=(form,),
    )


def _take_next_free(form: BookingForm) -> None:
    state = st.session_state
    now = now_utc()
    chosen = state.get(form.day_key)
    tz = form.office.timezone
    first, last = search_days(chosen if isinstance(chosen, dt.date) else None, tz, now)
    try:
        found = form.diary(first, last, now).next_free_start(first, form.length)
    except Exception as exc:
        log.exception("next free slot failed", exc_info=exc)
        state[form.note_key] = ("error", failure_message(exc))
        return
    if found is None:
        state[form.note_key] = (
            "warning",
            messages.NEXT_FREE_NONE.format(
                minutes=form.length,
                provider=form.provider.name,
                days=SEARCH_DAYS,
                day=f"{first:%a %d %b %Y}",
            ),
        )
        return
    local = to_local(tz, found)
    state[form.day_key], state[form.start_key] = local.date(), local.time()
    for field in ("day", "start"):
        forms.drop_error(form.errors_key, field)
    state[form.note_key] = (
        "info",
        messages.NEXT_FREE_FOUND.format(when=local_moment(tz, found), action=f"“{form.action}”"),
    )


def day_view(form: BookingForm) -> None:
    """The provider's day chosen on the form, in a bordered box keyed `<prefix>_day_view`."""
    state = st.session_state
    with st.container(border=True, key=f"{form.key}_day_view"):
        kind, text = state.pop(form.note_key, (None, None))
        if kind is not None:
            getattr(st, kind)(text)
        day = state.get(form.day_key)
        if form.provider is None:
            st.caption(messages.DAY_VIEW_CHOOSE_PROVIDER)
            return
        if not isinstance(day, dt.date):
            st.caption(messages.DAY_VIEW_CHOOSE_DAY.format(button=f"“{form.next_label}”"))
            return
        now = now_utc()
        try:
            diary = form.diary(day, day, now)
        except Exception as exc:
            show_failure(exc)
            return
        _drawn(form, diary.day(day))
        if day >= local_today(diary.tz_name, now) and diary.hours.open_on(day):
            _free_slots(form, diary, day)


def _drawn(form: BookingForm, view: ProviderDay) -> None:
    """The day's title, hours, cases and free windows, and why no slot is offered if none is."""
    office, tz = form.office, form.office.timezone
    title = messages.DAY_VIEW_TITLE.format(
        provider=form.provider.name,
        office=f"{office.name} ({office.code})",
        day=f"{view.day:%a %d %b %Y}",
    )
    st.markdown(f"**{plain(title)}**")
    st.caption(
        messages.DAY_VIEW_HOURS.format(
            opens=f"{PROCEDURE_HOURS.opens:%H:%M}",
            closes=f"{PROCEDURE_HOURS.closes:%H:%M}",
            zone=zone_abbreviation(tz, view.opens),
            days=PROCEDURE_HOURS.days_text,
            turnover=TURNOVER_MINUTES,
        )
    )
    if all(line.free for line in view.lines):
        st.caption(messages.DAY_VIEW_NO_CASES.format(provider=form.provider.name))
    if view.lines:
        st.markdown(_table(view.lines, tz))
    if not view.open:
        st.info(messages.DAY_VIEW_CLOSED.format(day=f"{view.day:%A %d %b %Y}"))
    elif view.day < local_today(tz, now_utc()):
        st.info(messages.DAY_VIEW_PASSED)


def _free_slots(form: BookingForm, diary: Diary, day: dt.date) -> None:
    """The free slots for the planned length, one tap each; the form's start shown chosen."""
    if form.length is None:
        return
    starts = [to_local(diary.tz_name, s).time() for s in diary.free_starts(day, form.length)]
    if not starts:
        st.info(messages.FREE_SLOTS_NONE.format(minutes=form.length))
        return
    state = st.session_state
    current = state.get(form.start_key)
    # A tap sets the start and is let go: the start taken is marked in its label instead, as
    # a selected pill's red on pink reads at 4.47:1, under WCAG AA's 4.5:1 (axe, issue 13).
    state[f"{form.key}_free"] = None
    st.pills(
        messages.FREE_SLOTS_LABEL.format(minutes=form.length),
        starts,
        format_func=lambda t: (messages.FREE_SLOT_TAKEN if t == current else "{time}").format(
            time=f"{t:%H:%M}"
        ),
        key=f"{form.key}_free",
        on_change=_take_slot,
        args=(form,),
    )


def _take_slot(form: BookingForm) -> None:
    chosen = st.session_state.get(f"{form.key}_free")
    if chosen is not None:
        st.session_state[form.start_key] = chosen
        forms.drop_error(form.errors_key, "start")


def _table(lines: tuple[DayLine, ...], tz: str) -> str:
    """The day as a Markdown table: time, case (or free), status in its board colour."""
    rows = [f"| Time ({zone_abbreviation(tz, lines[0].start)}) | Case | Status |", "|---|---|---|"]
    for line in lines:
        span = f"{local_time(tz, line.start)}–{local_time(tz, line.end)}"
        if line.case is None:
            free = f"{messages.DAY_VIEW_FREE} · {format_minutes(line.minutes)}"
            rows.append(f"| {span} | :green-badge[{free}] |   |")
            continue
        code = plain(line.case.code)
        if line.this_case:
            code = f"**{plain(messages.DAY_VIEW_THIS_CASE.format(code=line.case.code))}**"
        status = line.case.status
        rows.append(f"| {span} | {code} | :{stage_colour(status).badge}-badge[{status.label}] |")
    return "\n".join(rows)
