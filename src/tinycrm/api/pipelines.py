"""``crm.pipelines``: pipelines and their stages."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from tinycrm.store.records import UNSET, Unset

if TYPE_CHECKING:
    from tinycrm.config import Rule
    from tinycrm.store.engine import Store
    from tinycrm.store.models import PipelineRead, StageRead
    from tinycrm.store.pipeline_removals import PipelineRemoval
    from tinycrm.store.pipelines import PipelineRename, StageRemoval


class Pipelines:
    """Pipelines of stages. ``pipeline=None`` means the first (default) pipeline."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def list(self) -> list[PipelineRead]:
        """Every pipeline with its stages."""
        from tinycrm.store.pipelines import list_pipelines

        return list_pipelines(self._store)

    def get(self, ref: str | int | None = None) -> PipelineRead:
        """One pipeline by id or name (the default one when ``ref`` is None)."""
        from tinycrm.store.pipelines import get_pipeline

        return get_pipeline(self._store, ref)

    def add(
        self, name: str, *, stages: Sequence[tuple[str, int, int | None]] | None = None
    ) -> PipelineRead:
        """A new pipeline; ``stages`` are (name, probability %, rotting days or None)."""
        from tinycrm.store.pipelines import add_pipeline

        return add_pipeline(self._store, name=name, stages=stages)

    def rename(self, ref: str | int, new: str) -> PipelineRename:
        """Rename a pipeline; saved segments testing ``pipeline=OLD`` follow (``rewritten``)."""
        from tinycrm.store.pipelines import rename_pipeline

        return rename_pipeline(self._store, ref, new)

    def add_stage(
        self,
        name: str,
        *,
        probability: int,
        rotting_days: int | None = None,
        position: int | None = None,
        pipeline: str | int | None = None,
    ) -> StageRead:
        """Add a stage (at the end unless ``position``, counted from 1)."""
        from tinycrm.store.pipelines import add_stage

        return add_stage(
            self._store,
            pipeline,
            name=name,
            probability=probability,
            rotting_days=rotting_days,
            position=position,
        )

    def edit_stage(
        self,
        stage: str | int,
        *,
        name: str | Unset = UNSET,
        probability: int | Unset = UNSET,
        rotting_days: int | Unset | None = UNSET,
        pipeline: str | int | None = None,
    ) -> StageRead:
        """Rename a stage or change its probability or rotting days."""
        from tinycrm.store.pipelines import edit_stage

        return edit_stage(
            self._store,
            pipeline,
            stage,
            name=name,
            probability=probability,
            rotting_days=rotting_days,
        )

    def move_stage(
        self, stage: str | int, *, position: int, pipeline: str | int | None = None
    ) -> PipelineRead:
        """Put a stage at ``position`` (from 1)."""
        from tinycrm.store.pipelines import move_stage

        return move_stage(self._store, pipeline, stage, position=position)

    def remove_stage(
        self, stage: str | int, *, move_to: str | None = None, pipeline: str | int | None = None
    ) -> StageRemoval:
        """Remove a stage; its deals move to ``move_to``. Returns how many moved
        (``moved``) and the saved segments that test it, left as they are
        (``still_named_by``)."""
        from tinycrm.store.pipelines import remove_stage

        return remove_stage(self._store, pipeline, stage, move_to=move_to)

    def remove(
        self, ref: str | int, *, move_to: str | int | None = None, dry_run: bool = False
    ) -> PipelineRemoval:
        """Remove a pipeline and its stages; its deals (required when there are any) move
        to the pipeline ``move_to`` names, each into its stage of the same name there,
        else the first. The only pipeline is kept. ``dry_run``: what it would do."""
        from tinycrm.store.pipeline_removals import remove_pipeline

        return remove_pipeline(self._store, ref, move_to=move_to, dry_run=dry_run)

    def unknown_in_rules(self, rules: Sequence[Rule]) -> Sequence[tuple[Rule, str, str]]:
        """The stages and pipelines automation ``rules`` name that do not exist (rules that
        would never fire): ``(rule, key, reason)`` each, for ``tinycrm rules check``."""
        from tinycrm.store.automation import unknown_rule_names

        return unknown_rule_names(self._store, rules)
