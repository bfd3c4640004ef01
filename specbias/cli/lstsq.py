"""``specbias lstsq``: least-squares fit of a target by a ReLU or hat basis (placeholder)."""


def register(sub) -> None:
    pass
