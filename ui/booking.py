"""The intake screen's booking: office, provider, day and start (office time), planned minutes,
and the levels and side the time-out will check, beside the provider's day with its free slots
and "Next free slot" (ui.availability). A booking too soon for a hold warns; re-booking moves
every latest allowed last dose and withdraws the confirmations (services.booking).
Widget keys start with `intake_book_` and carry the case id."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from db.queries.home import OfficeRow
from db.queries.intake import IntakeCase, ProviderRow
from mild import messages
from mild.booking import DEFAULT_PLANNED_MINUTES, SIDES
from mild.days import at_local, local_today, to_local
from mild.medications import late_holds
from services import booking
from services.common import Actor, now_utc
from ui import availability, forms
from ui.format import local_moment

# --- booking --------------------------------------------------------------------------------


def booking_form(
    case: IntakeCase, user: Actor, offices: list[OfficeRow], providers: list[ProviderRow]
) -> None:
    errors = f"intake_book_errors_{case.id}"
    k = f"intake_book_{case.id}"
    state = st.session_state
    if case.scheduled_start is not None:
        when = local_moment(case.timezone, case.scheduled_start)
        st.text(
            messages.BOOKED_AS.format(
                when=when, minutes=case.planned_minutes, provider=case.provider_name or "-"
            )
        )
    names = {o.id: f"{o.name} ({o.code})" for o in offices}
    office_ids = list(names)
    where, who = st.columns(2)
    with where:
        st.selectbox(
            "Office",
            office_ids,
            index=office_ids.index(case.office_id) if case.office_id in office_ids else 0,
            format_func=names.get,
            key=f"{k}_office",
        )
        forms.field_error(errors, "office")
    office = next(o for o in offices if o.id == state.get(f"{k}_office", case.office_id))
    here = {p.id: p.name for p in providers if p.office_id == office.id}
    if state.get(f"{k}_provider") not in here:
        state.pop(f"{k}_provider", None)
    with who:
        st.selectbox(
            "Provider",
            list(here),
            index=list(here).index(case.provider_id) if case.provider_id in here else None,
            format_func=here.get,
            placeholder="Choose the provider",
            key=f"{k}_provider",
        )
        forms.field_error(errors, "provider")
    local_start = to_local(office.timezone, case.scheduled_start) if case.scheduled_start else None
    # Two to a row: a refusal beside the start time stays readable on a tablet.
    day, start = st.columns(2)
    minutes, find = st.columns(2, vertical_alignment="bottom")
    with day:
        st.date_input(
            "Day",
            value=local_start.date() if local_start else None,
            min_value=local_today(office.timezone, now_utc()),
            key=f"{k}_day",
            format="YYYY-MM-DD",
        )
        forms.field_error(errors, "day")
    with start:
        st.time_input(
            f"Start ({office.code} local time)",
            value=local_start.time() if local_start else dt.time(8, 0),
            step=dt.timedelta(minutes=15),
            key=f"{k}_start",
        )
        forms.field_error(errors, "start")
    with minutes:
        st.number_input(
            "Planned minutes",
            value=case.planned_minutes or DEFAULT_PLANNED_MINUTES,
            step=15,
            key=f"{k}_minutes",
        )
        forms.field_error(errors, "planned_minutes")
    label = "Re-book" if case.scheduled_start is not None else "Book"
    chosen = state.get(f"{k}_provider")
    form = availability.BookingForm(
        case.id,
        k,
        f"{k}_day",
        f"{k}_start",
        errors,
        label,
        office,
        availability.Provider(chosen, here[chosen]) if chosen in here else None,
        state.get(f"{k}_minutes"),
        user,
    )
    with find:
        availability.next_free_button(form)
    availability.day_view(form)
    # What the time-out checks against on the day.
    levels, side = st.columns(2)
    with levels:
        st.text_input(
            "Levels (for the time-out)",
            value=case.planned_levels or "",
            placeholder="e.g. L3-L4, L4-L5",
            max_chars=40,
            key=f"{k}_levels",
        )
        forms.field_error(errors, "planned_levels")
    with side:
        st.segmented_control(
            "Side",
            SIDES,
            default=case.planned_side,
            format_func=str.capitalize,
            key=f"{k}_side",
        )
        forms.field_error(errors, "planned_side")

    def book() -> None:
        get = state.get
        day, start = get(f"{k}_day"), get(f"{k}_start")
        chosen = next((o for o in offices if o.id == get(f"{k}_office")), office)
        late = (
            late_holds(
                [(m.drug, m.stop_before) for m in case.medications if m.hold_confirmed_at is None],
                at_local(chosen.timezone, day, start),
                now_utc(),
            )
            if isinstance(day, dt.date) and isinstance(start, dt.time)
            else []
        )
        forms.submit(
            lambda: booking.book_case(
                case.id,
                day=day,
                start=get(f"{k}_start"),
                planned_minutes=get(f"{k}_minutes"),
                planned_levels=get(f"{k}_levels"),
                planned_side=get(f"{k}_side"),
                provider_id=get(f"{k}_provider"),
                office_id=get(f"{k}_office"),
                actor=user,
                expected_version=case.version,
            ),
            errors_key=errors,
            success=messages.CASE_BOOKED,
        )
        if late and not forms.errors(errors):
            forms.flash_warning(
                messages.BOOKED_HOLDS_LATE.format(
                    drugs=" and ".join(
                        f"{drug} ({local_moment(chosen.timezone, last)})" for drug, last in late
                    )
                )
            )

    forms.button(label, f"{k}_submit", book, primary=True)
    if case.scheduled_start is not None:
        st.caption(messages.REBOOK_NOTE)
    forms.other_errors(
        errors,
        ["office", "provider", "day", "start", "planned_minutes", "planned_levels", "planned_side"],
    )
