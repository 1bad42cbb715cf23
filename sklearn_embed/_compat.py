"""The private scikit-learn names this package relies on, imported in one place.

scikit-learn keeps parameter validation, ``_fit_context`` and a few validation
helpers private, but third-party estimators are expected to use them (the
contrib project template does). Keeping the imports here means a rename in a
future release is fixed in one file.
"""

from sklearn.base import _fit_context
from sklearn.model_selection._split import GroupsConsumerMixin
from sklearn.utils._param_validation import HasMethods, Hidden, Interval, RealNotInt, StrOptions
from sklearn.utils.validation import _check_feature_names_in, _check_sample_weight

__all__ = [
    "GroupsConsumerMixin",
    "HasMethods",
    "Hidden",
    "Interval",
    "RealNotInt",
    "StrOptions",
    "_check_feature_names_in",
    "_check_sample_weight",
    "_fit_context",
]
