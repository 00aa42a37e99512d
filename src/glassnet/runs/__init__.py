"""One training run: its config, the run itself, its folder, evaluating and predicting."""

from glassnet.runs.config import RunConfig
from glassnet.runs.folder import write_run_folder
from glassnet.runs.run import RunResult, run_training

__all__ = ["RunConfig", "RunResult", "run_training", "write_run_folder"]
