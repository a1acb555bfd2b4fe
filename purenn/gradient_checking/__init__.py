"""Gradient checking: backpropagation against numerical derivatives of the loss, entry by entry.

The subpackage, by concept (each module importing only those before it):

    numerical    the numerical derivative of one entry: forward, central, Richardson, complex step
    report       checked entries, the pass rule, their summaries and verdicts, the table
    checker      gradcheck: every entry of every parameter, kinks skipped, default tolerances
    sweep        the error of each method against its step size, and its table
    planted      classic backprop bugs to plant into a network, to see a check fail

Everything a user needs is gathered here:
``from purenn.gradient_checking import gradcheck, step_sweep``.
"""

from purenn.gradient_checking.checker import DEFAULT_TOLERANCES, gradcheck
from purenn.gradient_checking.numerical import (
    DEFAULT_STEPS,
    METHODS,
    ComplexStepWarning,
    entry_derivative,
    numerical_gradient,
)
from purenn.gradient_checking.planted import (
    PLANTED_BUGS,
    PlantedBug,
    format_planted_bugs,
    plant_bug,
)
from purenn.gradient_checking.report import (
    VERDICT_BANDS,
    EntryCheck,
    GradientCheckResult,
    ParameterCheck,
    format_result,
    verdict,
)
from purenn.gradient_checking.sweep import (
    COMPLEX_SWEEP_STEPS,
    SWEEP_STEPS,
    format_sweep,
    step_sweep,
)

__all__ = [
    "METHODS",
    "DEFAULT_STEPS",
    "DEFAULT_TOLERANCES",
    "VERDICT_BANDS",
    "ComplexStepWarning",
    "EntryCheck",
    "ParameterCheck",
    "GradientCheckResult",
    "verdict",
    "format_result",
    "entry_derivative",
    "numerical_gradient",
    "gradcheck",
    "SWEEP_STEPS",
    "COMPLEX_SWEEP_STEPS",
    "step_sweep",
    "format_sweep",
    "PlantedBug",
    "PLANTED_BUGS",
    "plant_bug",
    "format_planted_bugs",
]
