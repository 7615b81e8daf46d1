package resolver

// class is p's decision class: 0 conflict-early, 1 normal, 2 conflict-late.
func (s *solver) class(p *pkg) int {
	switch {
	case p.early:
		return 0
	case p.late:
		return 2
	}
	return 1
}
