"""memlab.devices"""
