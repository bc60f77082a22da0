"""HTTP views, one blueprint per area. Each view parses, calls a service and shapes the reply."""
