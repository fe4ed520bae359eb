"""The simulation (fourth layer, above `sim.domain`, `sim.config` and `sim.outputs`).

- `model`: `JourneysModel`, the mesa model: clock, random streams, the phases of a step;
- `population`: people as columns (`People`), the initial population and future new users;
- `hazards`: parameters packed into the tables the step reads (one function per transition family);
- `providers`: commissioned services as mesa Agents: budgets, waiting lists, hand-offs;
- `kernel/`: the compiled step (numba); its docstring maps each transition family to the code
  that builds and applies it;
- `rng`: counter-based random streams (common random numbers);
- `markov`: the analytic Markov cohort solution the tests compare the simulation with.
"""
