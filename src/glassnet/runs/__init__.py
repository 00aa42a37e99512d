"""One training run: its config, its data's parts, the run itself, its folder, evaluating and
predicting."""

from glassnet.runs.config import RunConfig
from glassnet.runs.folder import read_run_folder, write_run_folder
from glassnet.runs.run import RunResult, run_training

__all__ = ["RunConfig", "RunResult", "read_run_folder", "run_training", "write_run_folder"]
