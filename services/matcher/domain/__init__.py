"""Matcher domain: pure matching logic for the mentoring platform (no I/O).

Import from the modules: ``pairing`` (``prepare_program``, the pair solvers),
``rounds`` (``solve_round``, ``solve_group_round``, admin adjustments), ``circles``
(peer groups), ``lifecycle`` (``Match`` and its transitions), ``suggestions``
(self-match ranking), ``people``, ``rules``, ``results``, ``explain``. Typical flow
for one program round::

    program = prepare_program(people, enrollments, rules, excluded)
    draft = solve_round(program, RoundAdjustments())          # pair programs
    draft = solve_round(program, RoundAdjustments().lock_pair(mentor, mentee))
    circles = form_peer_groups(program)                        # peer groups
"""
