"""ipywidgets front ends for the workshop steps (in Jupyter and served with Voila).

Each lab holds its controls as attributes, so code (and tests) can fill in a field and
``click()`` a button exactly as a trainer would. Displaying a lab shows its widget.
Buttons and result panes carry stable CSS classes (``lerkit-sign``, ``lerkit-verdict``,
...) so browser tests can find them. A mistake in the form is shown in the lab, never
raised into the page.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable, Mapping
from typing import Any

import ipywidgets as widgets
import pandas as pd

from lerkit.errors import LerkitError
from lerkit.workshop._didkey import decode_did_key
from lerkit.workshop._identity import guess_identity, hashed_identities, likely_emails
from lerkit.workshop._lab import (
    ACHIEVEMENT_TYPES,
    TAMPER_FIELDS,
    CredentialForm,
    Outcome,
    Workshop,
    signature_text,
)

__all__ = ["CredentialLab", "DidKeyLab", "IdentityLab"]

_STATIC_TEXT = (
    "(interactive controls: they work when the notebook runs live, in Jupyter or with "
    "`lerkit explain`)"
)
_WIDE = widgets.Layout(width="95%")
_LABEL_STYLE = {"description_width": "11em"}
_VERDICT_COLOURS = {
    # dark enough for white text (WCAG AA); the words carry the meaning, not the colour
    "verified": "#1b5e20",
    "warning": "#8a5a00",
    "not_verified": "#b71c1c",
    "indeterminate": "#4a148c",
}


def _pre(text: str) -> str:
    return (
        '<pre style="white-space: pre-wrap; word-break: break-all; font-size: 0.85em; '
        'line-height: 1.35; max-height: 22em; overflow-y: auto;">'
        f"{html.escape(text)}</pre>"
    )


def _table(frame: pd.DataFrame) -> str:
    return str(frame.to_html(index=False, escape=True, border=0, classes="lerkit-table"))


def _button(text: str, css: str, style: str = "") -> Any:
    button = widgets.Button(
        description=text, button_style=style, layout=widgets.Layout(width="auto")
    )
    button.add_class(css)
    return button


class _Lab:
    widget: Any

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        bundle = self.widget._repr_mimebundle_(**kwargs)
        if isinstance(bundle, dict):
            # what a static copy (HTML report, plain console) shows instead of the controls
            bundle["text/plain"] = _STATIC_TEXT
        return bundle

    def _guarded(self, action: Callable[[], None], error_pane: Any) -> Callable[[Any], None]:
        def handler(_button: Any) -> None:
            error_pane.value = ""
            try:
                action()
            except LerkitError as err:
                error_pane.value = f"<b>Cannot do that:</b> {html.escape(err.message)}"

        return handler


class CredentialLab(_Lab):
    """Fill in a credential, sign it, change a field, revoke it; watch the verdict.

    Parameters
    ----------
    workshop : Workshop
        Holds the issuer key, the revocation list and the verifier's clock.
    form : CredentialForm
        The values the form starts with. The lab signs them at once, so the verdict
        pane shows a verified credential before anyone clicks.

    Attributes
    ----------
    inputs : dict of str to widget
        The form fields, by :class:`CredentialForm` field name.
    sign, tamper, restore, revoke, unrevoke : ipywidgets.Button
    tamper_field, tamper_value : widgets
        Which field to change after signing, and its new value.
    verdict : ipywidgets.HTML
        The verifier's verdict and the check that decided it.
    signature, credential_json, canonical : ipywidgets.HTML
        The signature check step by step, the signed credential, its canonical form.

    Examples
    --------
    >>> lab = CredentialLab(Workshop(seed=1), CredentialForm())
    >>> lab.tamper.click()
    >>> lab.outcome.failed_check.name
    'signature'
    """

    def __init__(self, workshop: Workshop, form: CredentialForm | None = None) -> None:
        self.workshop = workshop
        start = form if form is not None else CredentialForm()
        self.outcome: Outcome | None = None
        labels = {
            "learner_name": "Learner's name",
            "learner_email": "Learner's e-mail",
            "achievement_name": "Achievement",
            "description": "What it is",
            "criteria": "What it took",
            "awarded_on": "Awarded on",
        }
        self.inputs: dict[str, Any] = {
            name: widgets.Text(
                value=getattr(start, name), description=label, style=_LABEL_STYLE, layout=_WIDE
            )
            for name, label in labels.items()
        }
        for name, box in self.inputs.items():
            box.add_class(f"lerkit-input-{name}")
        self.inputs["achievement_type"] = widgets.Dropdown(
            options=list(ACHIEVEMENT_TYPES),
            value=start.achievement_type,
            description="Type",
            style=_LABEL_STYLE,
        )
        self.sign = _button("Sign the credential", "lerkit-sign", "primary")
        self.tamper_field = widgets.Dropdown(
            options=list(TAMPER_FIELDS),
            value="achievement name",
            description="Field to change",
            style={"description_width": "initial"},
        )
        self.tamper_value = widgets.Text(value="PhD in Welding", description="New value")
        self.tamper = _button("Change it after signing", "lerkit-tamper", "warning")
        self.restore = _button("Undo the change", "lerkit-restore")
        self.revoke = _button("Revoke it", "lerkit-revoke", "danger")
        self.unrevoke = _button("Start over: not revoked", "lerkit-unrevoke")
        self.errors = widgets.HTML()
        self.errors.add_class("lerkit-error")
        self.verdict = widgets.HTML()
        self.verdict.add_class("lerkit-verdict")
        self.state = widgets.HTML()
        self.checks = widgets.HTML()
        self.signature = widgets.HTML()
        self.signature.add_class("lerkit-signature")
        self.credential_json = widgets.HTML()
        self.canonical = widgets.HTML()
        details = widgets.Accordion(children=[self.credential_json, self.canonical, self.checks])
        for index, title in enumerate(
            ["The signed credential (JSON)", "Its canonical form (N-Quads)", "Every check"]
        ):
            details.set_title(index, title)

        self.sign.on_click(self._guarded(self._sign, self.errors))
        self.tamper.on_click(self._guarded(self._tamper, self.errors))
        self.restore.on_click(self._guarded(self._restore, self.errors))
        self.revoke.on_click(self._guarded(self._revoke, self.errors))
        self.unrevoke.on_click(self._guarded(self._unrevoke, self.errors))

        self.widget = widgets.VBox(
            [
                widgets.HTML("<h4>1. The issuer fills in the credential and signs it</h4>"),
                *self.inputs.values(),
                self.sign,
                self.signature,
                details,
                widgets.HTML("<h4>2. Someone changes a field after signing</h4>"),
                widgets.HBox([self.tamper_field, self.tamper_value]),
                widgets.HBox([self.tamper, self.restore]),
                widgets.HTML("<h4>3. The issuer revokes the credential</h4>"),
                widgets.HBox([self.revoke, self.unrevoke]),
                self.errors,
                widgets.HTML("<h4>What the verifier concludes</h4>"),
                self.verdict,
                self.state,
            ]
        )
        self.widget.add_class("lerkit-credential-lab")
        self._guarded(self._sign, self.errors)(None)

    def form(self) -> CredentialForm:
        """The form's current values."""
        return CredentialForm(**{name: str(w.value) for name, w in self.inputs.items()})

    def _show_signed(self) -> None:
        assert self.workshop.signed is not None
        # the signed original, whatever the verifier is shown later
        explanation = self.workshop.explain(self.workshop.signed.credential)
        self.signature.value = _pre(signature_text(explanation))
        self.canonical.value = _pre(explanation.canonical_document or "(not computed)")
        self.credential_json.value = _pre(
            json.dumps(self.workshop.signed.credential, indent=2, ensure_ascii=False)
        )

    def _refresh(self) -> None:
        outcome = self.workshop.check()
        self.outcome = outcome
        colour = _VERDICT_COLOURS.get(outcome.verdict, "#333333")
        self.verdict.value = (
            f'<div style="border-left: 0.5em solid {colour}; padding: 0.3em 0.8em;">'
            f'<pre style="white-space: pre-wrap; margin: 0; line-height: 1.35;">'
            f"{html.escape(outcome.text())}</pre>"
            "</div>"
        )
        self.state.value = f"<i>{html.escape(self.workshop.describe_state())}</i>"
        self.checks.value = _pre(outcome.checks_text())

    def _sign(self) -> None:
        self.workshop.issue(self.form())
        self._show_signed()
        self._refresh()

    def _tamper(self) -> None:
        self.workshop.tamper(str(self.tamper_field.value), str(self.tamper_value.value))
        self._refresh()

    def _restore(self) -> None:
        self.workshop.restore()
        self._refresh()

    def _revoke(self) -> None:
        self.workshop.revoke()
        self._refresh()

    def _unrevoke(self) -> None:
        self.workshop.unrevoke()
        self._refresh()


class IdentityLab(_Lab):
    """Try guesses against the credential's hashed e-mail address.

    Parameters
    ----------
    credential : Mapping
        A credential with a hashed ``IdentityObject`` (the first one is used).
    name : str
        The learner's name, from which the first guesses are made.

    Examples
    --------
    >>> ws = Workshop(seed=1)
    >>> lab = IdentityLab(ws.issue(CredentialForm()).credential, "Ada Example")
    >>> lab.guess.click()
    >>> bool(lab.results_frame["matches"].any())
    True
    """

    def __init__(self, credential: Mapping[str, Any], name: str) -> None:
        found = hashed_identities(credential)
        self.identity: dict[str, Any] = found[0] if found else {}
        self.results_frame = pd.DataFrame(columns=["candidate", "hash", "matches"])
        self.candidates = widgets.Textarea(
            value="\n".join(likely_emails(name)),
            description="Guesses",
            layout=widgets.Layout(width="95%", height="12em"),
        )
        self.guess = _button("Try these guesses", "lerkit-guess", "primary")
        self.errors = widgets.HTML()
        self.result = widgets.HTML()
        self.result.add_class("lerkit-guess-result")
        self.guess.on_click(self._guarded(self._guess, self.errors))
        shown = html.escape(str(self.identity.get("identityHash", "(no hashed identity)")))
        salt = html.escape(str(self.identity.get("salt", "")))
        self.widget = widgets.VBox(
            [
                widgets.HTML("<h4>4. Guess the hashed e-mail address</h4>"),
                widgets.HTML(
                    f"<p>The credential says the e-mail address hashes to <code>{shown}</code> "
                    f"with the salt <code>{salt}</code>. One address per line:</p>"
                ),
                self.candidates,
                self.guess,
                self.errors,
                self.result,
            ]
        )

    def _guess(self) -> None:
        lines = [line.strip() for line in str(self.candidates.value).splitlines()]
        self.results_frame = guess_identity(self.identity, [line for line in lines if line])
        hits = self.results_frame.loc[self.results_frame["matches"], "candidate"].tolist()
        verdict = (
            f"<b>Found it:</b> {html.escape(hits[0])} (after {len(self.results_frame)} guesses)"
            if hits
            else f"<b>No match</b> among {len(self.results_frame)} guesses."
        )
        self.result.value = f"<p>{verdict}</p>{_table(self.results_frame)}"


class DidKeyLab(_Lab):
    """Paste a ``did:key`` and see the key inside it.

    Examples
    --------
    >>> lab = DidKeyLab("did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp")
    >>> lab.decode.click()
    >>> "Ed25519" in lab.result.value
    True
    """

    def __init__(self, did: str) -> None:
        self.did = widgets.Text(value=did, description="did:key", layout=_WIDE)
        self.decode = _button("Decode", "lerkit-decode", "primary")
        self.errors = widgets.HTML()
        self.result = widgets.HTML()
        self.result.add_class("lerkit-did-result")
        self.decode.on_click(self._guarded(self._decode, self.errors))
        self.widget = widgets.VBox(
            [
                widgets.HTML("<h4>5. Take a did:key apart</h4>"),
                self.did,
                self.decode,
                self.errors,
                self.result,
            ]
        )

    def _decode(self) -> None:
        self.result.value = ""
        self.result.value = _table(decode_did_key(str(self.did.value)).table())
