"""Staff members' own forms: joining from an invitation, changing their password."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import EqualTo, InputRequired, Length

from core.accounts import PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH
from web.input_guard import strip

PASSWORD_HINT = (
    f"At least {PASSWORD_MIN_LENGTH} characters. A few unrelated words are easy to remember "
    "and hard to guess."
)
REPEAT_MISMATCH = "The two passwords differ. Type the same password twice."


class AcceptInvitationForm(FlaskForm):
    name = StringField(
        "Your name",
        filters=[strip],
        validators=[InputRequired("Tell us your name."), Length(max=120)],
    )
    password = PasswordField(
        "Choose a password",
        validators=[InputRequired("Choose a password."), Length(max=PASSWORD_MAX_LENGTH)],
    )
    repeat = PasswordField(
        "Type it again",
        validators=[
            InputRequired("Type the password again."),
            EqualTo("password", REPEAT_MISMATCH),
        ],
    )


class ChangePasswordForm(FlaskForm):
    current = PasswordField(
        "Current password",
        validators=[InputRequired("Type your current password."), Length(max=PASSWORD_MAX_LENGTH)],
    )
    password = PasswordField(
        "New password",
        validators=[InputRequired("Choose a new password."), Length(max=PASSWORD_MAX_LENGTH)],
    )
    repeat = PasswordField(
        "Type the new password again",
        validators=[
            InputRequired("Type the new password again."),
            EqualTo("password", REPEAT_MISMATCH),
        ],
    )
