"""Outbound webhooks (admins only; views on the admin blueprint): a company's endpoints, the
events each wants, and each endpoint's delivery log with a way to send a delivery again.

A new endpoint's secret is shown once, on the page that confirms it (never in a flash
message: those travel in the session cookie). The URL is checked against SSRF by
``core.webhook_endpoints``; a refused one comes back 422 with what the admin typed.
"""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, url_for
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectMultipleField, URLField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from core import webhook_deliveries, webhook_endpoints
from core.errors import DomainError
from core.webhook_endpoints import InvalidEndpoint
from web import extensions
from web.admin.routes import bp
from web.auth import signed_in_user
from web.input_guard import strip


class EventsField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class EndpointForm(FlaskForm):
    url = URLField(
        "Endpoint URL",
        filters=[strip],
        validators=[
            DataRequired("Give the address that should receive the events."),
            Length(max=2000),
        ],
    )
    secret = PasswordField("Signing secret", filters=[strip], validators=[Length(max=128)])
    events = EventsField(
        "Events to send",
        choices=[SelectChoice(name, words) for name, words in webhook_endpoints.EVENTS.items()],
        validators=[DataRequired("Pick at least one event.")],
    )


def _page(form: EndpointForm, new_secret: str = "", new_url: str = "") -> str:
    with extensions.db().unit_of_work() as session:
        company_id = signed_in_user(session).company_id
        return render_template(
            "admin/webhooks.html",
            form=form,
            endpoints=webhook_endpoints.endpoints(session, company_id),
            events=webhook_endpoints.EVENTS,
            new_secret=new_secret,
            new_url=new_url,
            action_form=FlaskForm(),
        )


@bp.get("/webhooks")
def webhooks_page() -> str:
    return _page(EndpointForm())


@bp.post("/webhooks")
def add_webhook() -> tuple[str, int]:
    form = EndpointForm()
    if not form.validate_on_submit():
        return _page(form), 422
    with extensions.db().unit_of_work() as session:
        admin = signed_in_user(session)
        try:
            endpoint, secret = webhook_endpoints.create_endpoint(
                session,
                extensions.clock(),
                company_id=admin.company_id,
                url=form.url.data or "",
                events=list(form.events.data or []),
                secret=form.secret.data or "",
                allow_private=extensions.settings().webhooks_allow_private,
                actor=f"user:{admin.id}",
            )
        except InvalidEndpoint as exc:
            refused: InvalidEndpoint | None = exc
        else:
            refused = None
            url = endpoint.url
    if refused is not None:  # rendered after the transaction: SQLite has one writer
        form[refused.field].errors = [str(refused)]
        return _page(form), 422
    return _page(EndpointForm(formdata=None), new_secret=secret, new_url=url), 201


@bp.get("/webhooks/<id:endpoint_id>")
def webhook_log(endpoint_id: int) -> str:
    with extensions.db().unit_of_work() as session:
        company_id = signed_in_user(session).company_id
        try:
            endpoint = webhook_endpoints.endpoint_of(session, company_id, endpoint_id)
        except DomainError:
            abort(404)
        return render_template(
            "admin/webhook_log.html",
            endpoint=endpoint,
            log=webhook_deliveries.delivery_log(session, company_id, endpoint_id),
            events=webhook_endpoints.EVENTS,
            form=FlaskForm(),
        )


@bp.post("/webhooks/<id:endpoint_id>/remove")
def remove_webhook(endpoint_id: int) -> Response:
    if not FlaskForm().validate_on_submit():
        abort(400)
    with extensions.db().unit_of_work() as session:
        admin = signed_in_user(session)
        try:
            webhook_endpoints.remove_endpoint(
                session, extensions.clock(), admin.company_id, endpoint_id, f"user:{admin.id}"
            )
        except DomainError:
            abort(404)
    flash("Endpoint removed: it gets no more events. Its delivery log is kept.")
    return redirect(url_for(".webhooks_page"))


@bp.post("/webhooks/<id:endpoint_id>/deliveries/<id:webhook_delivery_id>/resend")
def resend_webhook(endpoint_id: int, webhook_delivery_id: int) -> Response:
    if not FlaskForm().validate_on_submit():
        abort(400)
    with extensions.db().unit_of_work() as session:
        admin = signed_in_user(session)
        try:
            webhook_endpoints.endpoint_of(session, admin.company_id, endpoint_id)
        except DomainError:
            abort(404)
        resent = webhook_deliveries.resend(
            session, extensions.clock(), admin.company_id, webhook_delivery_id, f"user:{admin.id}"
        )
    flash(
        "Sending it again now; refresh in a moment to see the attempt."
        if resent
        else "That delivery is already on its way."
    )
    return redirect(url_for(".webhook_log", endpoint_id=endpoint_id))
