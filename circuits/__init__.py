"""memlab.circuits: device models as ngspice netlists, cells, characterisation.

Public API
----------
Printers: :class:`NgspiceBSourcePrinter`, :class:`VerilogAPrinter`, :func:`ngspice_code`,
:func:`verilog_a_code`, :func:`verilog_a_module`.
Subcircuits: :func:`subcircuit` (-> :class:`DeviceSubcircuit`).
Cells: :class:`OneR`, :class:`OneS1R`, :class:`OneT1R`; :class:`MOSFET` is
:class:`memlab.devices.MOSFET` (the same class, re-exported).
Simulation: :func:`characterize` (ngspice or native, returns :class:`memlab.devices.Trace`),
:class:`DCSweep`, :func:`cell_netlist`, :func:`simulate_cell`, :func:`solve_cell`,
:func:`compare_traces` (-> :class:`TraceComparison`), :func:`run_netlist`, :func:`get_runner`.
Programming: :func:`write_verify` (-> :class:`ProgramResult`).
Crossbar netlists from the same subcircuits: :func:`crossbar_netlist`,
:func:`simulate_crossbar_op` (-> :class:`CrossbarOp`).
"""
from memlab.circuits._printers import (NgspiceBSourcePrinter, VerilogAPrinter, ngspice_code, verilog_a_code,
                                       known_functions_ngspice, known_functions_veriloga)
from memlab.circuits._subckt import DeviceSubcircuit, subcircuit, subckt_name
from memlab.circuits._cells import Cell, OneR, OneS1R, OneT1R, MOSFET
from memlab.circuits._ngspice import NgspiceRunner, NgspiceResult, get_runner, run_netlist
from memlab.circuits._native import simulate_cell, solve_cell
from memlab.circuits._characterize import (characterize, cell_netlist, compare_traces, TraceComparison, DCSweep,
                                           NGSPICE_OPTIONS)
from memlab.circuits._program import write_verify, ProgramResult
from memlab.circuits._veriloga import verilog_a_module
from memlab.circuits._crossbar_netlist import crossbar_netlist, simulate_crossbar_op, CrossbarOp

__all__ = ["NgspiceBSourcePrinter", "VerilogAPrinter", "ngspice_code", "verilog_a_code",
           "known_functions_ngspice", "known_functions_veriloga",
           "DeviceSubcircuit", "subcircuit", "subckt_name",
           "Cell", "OneR", "OneS1R", "OneT1R", "MOSFET",
           "NgspiceRunner", "NgspiceResult", "get_runner", "run_netlist",
           "simulate_cell", "solve_cell",
           "characterize", "cell_netlist", "compare_traces", "TraceComparison", "DCSweep", "NGSPICE_OPTIONS",
           "write_verify", "ProgramResult", "verilog_a_module",
           "crossbar_netlist", "simulate_crossbar_op", "CrossbarOp"]


from memlab._deprecate import renamed as _renamed  # noqa: E402

__getattr__ = _renamed('memlab.circuits', {'compare': 'compare_traces', 'Comparison': 'TraceComparison'}, globals())
from memlab.circuits._crossbar_transient import crossbar_tran_netlist, simulate_crossbar_tran, CrossbarTran

__all__ += ["crossbar_tran_netlist", "simulate_crossbar_tran", "CrossbarTran"]
