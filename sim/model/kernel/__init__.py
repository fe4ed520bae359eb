"""The compiled step (numba): every person's journey for one step, and the providers' admissions.

Modules, in the order a reader needs them:
- `records`:   the bundles every compiled function takes: `StepContext` (which step, when),
               `Tables` (hazards, mortality, outcomes, system: read-only), `Records` (tallies,
               queues to the providers, the journey log: written);
- `codes`:     every state, event, destination, exit-reason and hand-off code as a plain int;
- `people`:    helpers on one person's row (age band, next random draw, leaving a modality, log);
- `hazards`:   one person's hazards now: death, each transition out of their state, outcomes;
- `moves`:     applying a move: the change of state, the events it counts, referrals;
- `step`:      the journeys of a step: `step_rows` (per person: onset, refresh, event, re-count),
               `refresh` (hazards re-evaluated, next event drawn), `event` (which competing event), `due`;
- `counts`:    the stocks counted incrementally: `recount` a touched person, `carry` changes to levels;
- `admission`: the providers' phase: queues, `take_handoffs`, `admit` from a waiting list while money lasts;
- `advance`:   whole steps (onset, journeys, providers) for a stretch of steps in one call;
- `fastcall`, `cache`: calling compiled functions cheaply; keeping numba's disk cache fresh.

Where each transition family is built and where it is applied. Every family's hazard is
evaluated for a person by `hazards.transition_hazards` (base x attribute ratios x modality
ratio x duration band), chosen among the competing ones by `step.event`, and applied by
`moves.move`, unless said otherwise. Rows: `sim.domain.transitions.TRANSITIONS`; rates:
the family's function in `sim.model.hazards`.

- presentation (using -> waiting, one hazard per referral route): `params.presentation.*`,
  `params.referral.*`; built in `_presentations`; applied in `moves.move`, which calls
  `moves.refer` (picked up by a provider or not) and counts presentations and re-presentations.
- assessment and waiting drop-out: `params.waiting.*`; `_waiting`; assessment is
  `step.event` queueing the person (TO_READY) for `admission.admit`, which starts treatment
  when the provider has a place; drop-out goes through `moves.move`.
- engagement (start -> stay after a fixed time): `params.treatment.engagement_weeks`; the
  scheduled move in `build_hazards`; applied by `step.due` -> `moves.move`.
- exits (planned exit, completion, unplanned exits of each phase): `params.treatment.*`,
  modality ratios `params.modality.hr_*`; `_treatment_exits`, `modality_ratios`; `moves.move`
  counts EXIT_SUCCESSFUL or EXIT_UNPLANNED and ends the modality (`people.leave_treatment`).
- hand-off, step-down, step-up (changes of service or modality within treatment):
  `system.handoff_per_year`, `params.modality.step_*`; `_modality_changes`; `step.event`
  (TO_HANDOFF queues the client for `admission.take_handoffs`).
- relapse (sustain or remission -> using): `params.recovery.relapse_per_year`,
  `relapse_from_remission_per_year`; `_recovery`; `moves.move` counts RELAPSE.
- re-presentation after completion (falls with years since completion: duration bands):
  `params.recovery.represent_*`; `_recovery`; `moves.move` -> `moves.refer`,
  `moves._count_re_presentation` (PHOF and the completer follow-up).
- natural remission: `params.recovery.natural_remission_per_year`; `_natural_remission`;
  `moves.move` counts NATURAL_REMISSION.
- prison (imprisonment from every state, release to using or referred to treatment):
  `params.prison.*`; `_prison`; `moves.move` (EXIT_TRANSFERRED when leaving treatment;
  release referrals through `moves.refer`).
- death (drug-related, other causes): `params.mortality.*`; `build_mortality`; evaluated by
  `hazards.mortality_hazards`, applied in `step.event`.
- TOP abstinence, housing need resolved: `params.treatment.abstinence_per_year`,
  `housing_resolution_per_year`; `build_outcomes`; `hazards.abstinence_hazard`,
  `hazards.housing_hazard`, applied in `step.event`.
"""

from sim.model.kernel.cache import clear_if_stale

clear_if_stale()  # before any compiled function of the kernel is loaded from disk
