"""Console pages of personal-information protection: /console/privacy/…"""
