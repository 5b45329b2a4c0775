"""Console pages of the sharing exchange: /console/exchange/…"""
