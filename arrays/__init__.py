"""memlab.arrays"""
