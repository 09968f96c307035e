"""Push a built release to the Hugging Face Hub: the release directory, file for file.

The token comes only from the ``HF_TOKEN`` environment variable and never appears in a
message: errors from the hub client are re-raised with the token masked.
"""

from __future__ import annotations

import os
from pathlib import Path

from claimset.errors import ClaimsetError
from claimset.publish.checksums import verify_checksums
from claimset.stage import StageReport

TOKEN_ENV = "HF_TOKEN"


def _mask(message: str, token: str) -> str:
    return message.replace(token, "***") if token else message


def push_release(
    release_dir: str | os.PathLike[str], repo_id: str, *, private: bool = True
) -> StageReport:
    """Push every config of the release at ``release_dir`` to dataset repo ``repo_id``.

    Refuses (ClaimsetError, nothing pushed) when ``HF_TOKEN`` is unset, the release is
    missing or its checksums do not verify. The directory is uploaded as it is
    (``upload_folder``): the parquet files already carry the features, the card's
    ``data_files`` name them, and ``croissant.json`` and ``checksums.sha256`` stay true of
    the hub copy. (``push_to_hub`` re-encoded the files under other names, so the card's
    paths and the checksums no longer matched.)
    """
    report = StageReport("publish-hub")
    token = os.environ.get(TOKEN_ENV, "").strip()
    if not token:
        raise ClaimsetError(
            f"refusing to push: {TOKEN_ENV} is not set. Create a write token at "
            f"https://huggingface.co/settings/tokens and export {TOKEN_ENV}; nothing was pushed"
        )
    root = Path(release_dir)
    if not (root / "README.md").is_file():
        raise ClaimsetError(
            f"{root}: not a release directory (no README.md); run `claimset publish` first"
        )
    problems = verify_checksums(root)
    if problems:
        raise ClaimsetError(
            f"{root}: checksums do not verify ({'; '.join(problems[:5])}); rebuild the release"
        )
    import pyarrow.parquet as pq
    from huggingface_hub import HfApi

    configs = sorted(p.name for p in root.iterdir() if p.is_dir() and any(p.glob("*.parquet")))
    for path in sorted(root.glob("*/*.parquet")):
        report.records_in += pq.ParquetFile(path).metadata.num_rows
    try:
        api = HfApi(token=token)
        api.create_repo(repo_id, repo_type="dataset", private=private, exist_ok=True)
        api.upload_folder(
            folder_path=str(root),
            repo_id=repo_id,
            repo_type="dataset",
            commit_message="claimset: release",
        )
    except Exception as exc:  # the hub client raises many types; all become one safe message
        raise ClaimsetError(f"push to {repo_id} failed: {_mask(str(exc), token)}") from None
    report.records_out = report.records_in
    report.extra["configs"] = len(configs)
    report.extra["repo"] = repo_id
    return report
