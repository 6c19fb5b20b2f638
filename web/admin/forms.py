"""Admin forms. People: inviting someone with a role, changing a person's role."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, RadioField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length

from core.accounts import ROLE_LABELS, Role
from web.input_guard import strip

# What each role may do, in the words the people page shows beside the choice.
ROLE_HINTS = {
    Role.ADMIN: "Sets the company up: people, openings, customization and settings.",
    Role.RECRUITER: "Works on every opening and hire of the company; no people or settings.",
    Role.MANAGER: "Sees the openings whose interview panel they sit on, and their own hires.",
}
ROLE_CHOICES = [SelectChoice(role.value, ROLE_LABELS[role]) for role in Role]


def _role_field() -> RadioField:
    return RadioField("Role", choices=ROLE_CHOICES, validators=[InputRequired("Choose a role.")])


class InviteForm(FlaskForm):
    email = EmailField(
        "Email address",
        filters=[strip],
        # The address's shape is checked by core.invitations, for the CLI as well.
        validators=[InputRequired("Type the person's email address."), Length(max=254)],
    )
    role = _role_field()


class RoleForm(FlaskForm):
    role = _role_field()
