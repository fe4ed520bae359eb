"""Where the project's own files are: configs, calibration records, seed figures."""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]  # an editable install: the repository
CONFIG_DIR = PROJECT_ROOT / "configs"
SEED_FIGURES = PROJECT_ROOT / "calibration" / "sources" / "seed_figures.csv"
PUBLISHED_FIGURES = PROJECT_ROOT / "calibration" / "sources" / "published_figures.csv"  # studies beyond the seeds
PARAMETERS_CSV = PROJECT_ROOT / "calibration" / "parameters.csv"


def project_path(name: str | Path) -> Path:
    """A file named in a config (`targets_file`): as given if absolute, else under the project."""
    path = Path(name)
    return path if path.is_absolute() else PROJECT_ROOT / path
