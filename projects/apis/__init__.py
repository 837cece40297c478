"""REST API of projects, one module per sub-domain: the improvement guides, projects (list, filing, changes and
lifecycle transitions), reviews (read) and the case library. Thin doors onto projects.selectors and
projects.services; errors come out in lean.apis' stable shape.

Every project read starts from projects.selectors.visible_projects, so a project the member may not see reads
exactly like an unknown one (404), in this tenant or another.
"""
