"""Company settings (admins only; a view on the admin blueprint): what candidates, new hires
and email recipients see of the workspace. The form checks shape; core.company_settings
checks the rules and says, per field, what is wrong (422, keeping what was typed)."""

from __future__ import annotations

from dataclasses import asdict
from email.utils import parseaddr

from flask import Response, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from core.companies import Company
from core.company_settings import (
    WEEKDAY_NAMES,
    CompanySettings,
    InvalidSettings,
    problems_with,
    settings_of,
    timezones,
    update_settings,
)
from web import extensions
from web.admin.customize_forms import WholeNumberField
from web.admin.routes import bp
from web.auth import signed_in_user
from web.input_guard import strip


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class SettingsForm(FlaskForm):
    name = StringField("Company name", filters=[strip], validators=[Length(max=120)])
    promise = TextAreaField("Customer promise", filters=[strip], validators=[Length(max=400)])
    mission = TextAreaField(
        "Customer experience mission statement",
        filters=[strip],
        validators=[Length(max=600)],
    )
    accent_color = StringField("Accent colour", filters=[strip], validators=[Length(max=20)])
    timezone = StringField("Time zone", filters=[strip], validators=[Length(max=64)])
    working_days = CheckboxesField(
        "Working days",
        choices=[SelectChoice(day, name) for day, name in WEEKDAY_NAMES.items()],
        validate_choice=False,
    )
    retention_days = WholeNumberField(
        "Keep candidates' data for (days)",
        validators=[Optional(), NumberRange(min=1, message="Give a number of days.")],
    )
    contact_email = EmailField(
        "Address for accommodation requests", filters=[strip], validators=[Length(max=254)]
    )
    sender_name = StringField("Sender name on emails", filters=[strip], validators=[Length(max=80)])
    outcome_advance_message = TextAreaField(
        "Message when a candidate moves forward",
        filters=[strip],
        validators=[Length(max=1000)],
    )
    outcome_reject_message = TextAreaField(
        "Message when a candidate does not move forward",
        filters=[strip],
        validators=[Length(max=1000)],
    )
    feedback_reports = BooleanField("Offer candidates a short feedback report after a decision")

    def settings(self) -> CompanySettings:
        return CompanySettings(
            name=self.name.data or "",
            promise=self.promise.data or "",
            mission=self.mission.data or "",
            accent_color=self.accent_color.data or "",
            timezone=self.timezone.data or "",
            working_days=tuple(self.working_days.data or ()),
            retention_days=self.retention_days.data,
            contact_email=self.contact_email.data or "",
            sender_name=self.sender_name.data or "",
            outcome_advance_message=self.outcome_advance_message.data or "",
            outcome_reject_message=self.outcome_reject_message.data or "",
            feedback_reports=bool(self.feedback_reports.data),
        )


@bp.route("/settings", methods=["GET", "POST"])
def company_settings() -> Response | tuple[str, int]:
    with extensions.db().unit_of_work() as session:
        user = signed_in_user(session)
        company = session.get_one(Company, user.company_id)
        current = settings_of(company)
        form = SettingsForm(data={**asdict(current), "working_days": list(current.working_days)})
        if request.method == "POST":
            if form.validate_on_submit():
                try:
                    changed = update_settings(
                        session, extensions.clock(), company, form.settings(), by=user.id
                    )
                except InvalidSettings as exc:
                    _show(form, exc.problems)
                else:
                    flash("Settings saved." if changed else "Nothing changed.")
                    return redirect(url_for(".company_settings"))
            else:  # the rules too, so every problem shows at once
                _show(form, problems_with(form.settings()))
        html = render_template(
            "admin/settings.html",
            form=form,
            company=company,
            timezones=timezones(),
            default_retention=extensions.settings().retention_days,
            mail_from_address=parseaddr(extensions.settings().mail_from)[1],
        )
        return html, 422 if form.errors else 200


def _show(form: SettingsForm, problems: dict[str, str]) -> None:
    for name, message in problems.items():
        if not form[name].errors:
            form[name].errors = [message]
