"""memlab.circuits"""
