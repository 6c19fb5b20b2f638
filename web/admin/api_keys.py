"""API keys (admins only; views on the admin blueprint): make one for an ATS or HR system,
see when each was last used, revoke one. A new key is shown once, on the page that answers
its creation (never flashed: that would put it in the session cookie)."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, url_for
from flask_wtf import FlaskForm
from wtforms import RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from core import api_keys
from core.api_keys import ApiScope
from core.errors import DomainError
from web import extensions
from web.admin.routes import bp
from web.auth import signed_in_user
from web.input_guard import strip


class ApiKeyForm(FlaskForm):
    name = StringField(
        "What will use it",
        filters=[strip],
        validators=[
            DataRequired("Name the key after what uses it, e.g. “Greenhouse sync”."),
            Length(max=api_keys.NAME_MAX),
        ],
    )
    scope = RadioField(
        "It may",
        choices=[
            SelectChoice(
                ApiScope.READ.value, "Read only: openings, candidates' results, new hires"
            ),
            SelectChoice(
                ApiScope.WRITE.value, "Read and write: also create openings, decisions and hires"
            ),
        ],
        default=ApiScope.READ.value,
    )


def _page(form: ApiKeyForm, new_key: str | None = None, status: int = 200) -> tuple[str, int]:
    with extensions.db().unit_of_work() as session:
        admin = signed_in_user(session)
        keys = api_keys.keys_of(session, admin.company_id)
        html = render_template(
            "admin/api_keys.html",
            form=form,
            keys=keys,
            new_key=new_key,
            revoke_form=FlaskForm(),
            docs_url=url_for("api_docs.docs"),
        )
    return html, status


@bp.get("/api-keys")
def api_keys_page() -> tuple[str, int]:
    return _page(ApiKeyForm())


@bp.post("/api-keys")
def create_api_key() -> tuple[str, int]:
    form = ApiKeyForm()
    if not form.validate_on_submit():
        return _page(form, status=422)
    try:
        with extensions.db().unit_of_work() as session:
            admin = signed_in_user(session)
            issued = api_keys.create_key(
                session,
                extensions.clock(),
                company_id=admin.company_id,
                name=form.name.data or "",
                scope=form.scope.data or "",
                by=admin.id,
            )
            text = issued.text
    except DomainError as refused:
        form.name.errors = [*form.name.errors, str(refused)]
        return _page(form, status=422)
    return _page(ApiKeyForm(formdata=None), new_key=text, status=201)


@bp.post("/api-keys/<id:api_key_id>/revoke")
def revoke_api_key(api_key_id: int) -> Response:
    if not FlaskForm().validate_on_submit():
        abort(400)
    with extensions.db().unit_of_work() as session:
        admin = signed_in_user(session)
        revoked = api_keys.revoke(
            session, extensions.clock(), admin.company_id, api_key_id, by=admin.id
        )
    flash(
        "The key is revoked: calls with it are refused from now on."
        if revoked
        else "That key was already revoked."
    )
    return redirect(url_for(".api_keys_page"))
