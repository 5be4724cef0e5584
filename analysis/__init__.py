"""memlab.analysis"""
