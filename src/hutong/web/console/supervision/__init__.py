"""Console pages of supervision (the compliance domain): /console/supervision/…"""
