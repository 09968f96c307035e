"""Push a built release to the Hugging Face Hub with ``push_to_hub``.

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
    missing or its checksums do not verify. Each config is loaded with ``load_dataset``
    and pushed with ``push_to_hub(config_name=...)``; the release's own README.md card
    then replaces the one ``push_to_hub`` generates.
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
    import datasets
    from huggingface_hub import HfApi

    configs = sorted(p.name for p in root.iterdir() if p.is_dir() and any(p.glob("*.parquet")))
    try:
        for config in configs:
            dd = datasets.load_dataset(str(root), config)
            for split in dd.values():
                report.records_in += split.num_rows
            dd.push_to_hub(repo_id, config_name=config, token=token, private=private)
        HfApi(token=token).upload_file(
            path_or_fileobj=str(root / "README.md"),
            path_in_repo="README.md",
            repo_id=repo_id,
            repo_type="dataset",
            commit_message="claimset: dataset card",
        )
    except Exception as exc:  # the hub client raises many types; all become one safe message
        raise ClaimsetError(f"push to {repo_id} failed: {_mask(str(exc), token)}") from None
    report.records_out = report.records_in
    report.extra["configs"] = len(configs)
    report.extra["repo"] = repo_id
    return report
