"""Figures for one learner's profile (:func:`lerkit.analysis.learner_profile`).

A profile is **one person's data**, shown to the learner and the people serving them,
never published: nothing in it is a cell of a table, so nothing is suppressed, and each
figure says so under its title.

- :func:`learner_profile_figure`: the skills and occupations the learner's credentials
  align to, by how many credentials back each one;
- :func:`learner_profile_opportunities_figure`: the postings whose required skills they
  cover best.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd
import plotly.graph_objects as go

from lerkit.errors import LerkitError
from lerkit.plots._style import PALETTE, TEMPLATE, plain_label

__all__ = ["learner_profile_figure", "learner_profile_opportunities_figure"]

if TYPE_CHECKING:  # lerkit.analysis loads Ibis: not on `import lerkit`
    from lerkit.analysis._profile import LearnerProfile

_PRIVATE = "One person's data: for the learner and their advisers, not for publication"


def _profile(profile: object) -> LearnerProfile:
    from lerkit.analysis._profile import LearnerProfile

    if not isinstance(profile, LearnerProfile):
        raise LerkitError(
            "expected the LearnerProfile that 'learner_profile' returns, "
            f"got {type(profile).__name__}",
            code="invalid_argument",
        )
    return profile


def learner_profile_figure(profile: LearnerProfile) -> go.Figure:
    """The skills and occupations a learner's credentials show, one bar each.

    The bar is the number of the learner's credentials aligned to the skill; the colour
    says which framework it comes from (O*NET skill, O*NET occupation, ...).

    Parameters
    ----------
    profile : LearnerProfile
        The result of :func:`lerkit.analysis.learner_profile`.

    Returns
    -------
    plotly.graph_objects.Figure

    Raises
    ------
    LerkitError
        ``invalid_argument`` for anything but a LearnerProfile.

    Examples
    --------
    >>> import lerkit as lk
    >>> from lerkit.analysis import learner_profile
    >>> dataset = lk.datasets.load("pilot-default")
    >>> learner = dataset.table("learners")["learner_id"].iloc[0]
    >>> fig = learner_profile_figure(learner_profile(dataset, learner, verify=False))
    >>> fig.layout.xaxis.title.text
    'Credentials showing the skill (count)'
    """
    profile = _profile(profile)
    skills = profile.skills.sort_values(
        ["credentials", "target_name"], ascending=[False, True], kind="stable"
    )
    fig = go.Figure()
    frameworks = list(dict.fromkeys(skills["framework"]))
    for framework, colour in zip(frameworks, PALETTE, strict=False):
        part = skills[skills["framework"] == framework]
        fig.add_trace(
            go.Bar(
                x=[int(v) for v in part["credentials"]],
                y=[str(v) for v in part["target_name"].fillna(part["target_code"])],
                orientation="h",
                name=plain_label(framework, "framework"),
                marker_color=colour,
                customdata=[[i] for i in part.index],
                hovertext=list(part["target_code"].astype(str)),
            )
        )
    names = [str(v) for v in skills["target_name"].fillna(skills["target_code"])]
    fig.update_layout(
        template=TEMPLATE,
        title={
            "text": f"Skills and occupations shown by the credentials of {profile.learner_id}",
            "subtitle": {"text": _PRIVATE},
        },
        xaxis={"title": {"text": "Credentials showing the skill (count)"}, "dtick": 1},
        yaxis={
            "title": {"text": "Skill or occupation"},
            "type": "category",
            "categoryorder": "array",
            "categoryarray": names,
            "autorange": "reversed",
        },
        legend_title_text="Framework",
        showlegend=True,
        height=max(300, 120 + 26 * len(names)),
    )
    return fig


def _hover(missing: Any, wage: Any, degree: Any) -> str:
    if missing is None or isinstance(missing, float):
        skills: list[Any] = []
    elif isinstance(missing, str):
        skills = [missing]
    else:
        skills = list(missing)
    pay = "wage not given" if pd.isna(wage) else f"${float(wage):.2f}/hour"
    needs = "requires a degree" if bool(degree) else "no degree required"
    gaps = ", ".join(map(str, skills)) if skills else "none"
    return f"{pay}; {needs}; missing skills: {gaps}"


def learner_profile_opportunities_figure(profile: LearnerProfile) -> go.Figure:
    """The job postings whose required skills the learner covers best.

    Parameters
    ----------
    profile : LearnerProfile
        The result of :func:`lerkit.analysis.learner_profile`.

    Returns
    -------
    plotly.graph_objects.Figure
        One bar per posting (best first): the share of its required skills the learner
        holds; the hover text lists the missing skills and the wage.
    """
    profile = _profile(profile)
    postings = profile.opportunities
    labels = [
        f"{title} ({employer}, {posting})"
        for title, employer, posting in zip(
            postings["title"], postings["employer_id"], postings["posting_id"], strict=True
        )
    ]
    hover = [
        _hover(missing, wage, degree)
        for missing, wage, degree in zip(
            postings["missing_skills"], postings["wage"], postings["requires_degree"], strict=True
        )
    ]
    fig = go.Figure(
        go.Bar(
            x=[float(v) for v in postings["coverage"]],
            y=labels,
            orientation="h",
            marker_color=PALETTE[2],
            customdata=[[i] for i in postings.index],
            hovertext=hover,
            name="Required skills held",
        )
    )
    fig.update_layout(
        template=TEMPLATE,
        title={
            "text": f"Job postings matching the skills of {profile.learner_id}",
            "subtitle": {"text": _PRIVATE},
        },
        xaxis={
            "title": {"text": "Required skills the learner holds (%)"},
            "tickformat": ".0%",
            "range": [0, 1.05],
        },
        yaxis={"title": {"text": "Posting"}, "type": "category", "autorange": "reversed"},
        showlegend=False,
        height=max(300, 120 + 30 * len(labels)),
    )
    return fig
