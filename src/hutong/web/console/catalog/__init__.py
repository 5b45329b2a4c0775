"""Console pages of the catalog: /console/catalog/…"""
