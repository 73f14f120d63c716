package mockorg

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
)

var (
	firstNames = []string{"Olivia", "Liam", "Emma", "Noah", "Ava", "Oliver", "Sophia", "Elijah", "Isabella", "James", "Mia", "William", "Amelia", "Benjamin", "Harper", "Lucas", "Evelyn", "Henry", "Abigail", "Theodore", "Emily", "Jack", "Ella", "Levi", "Elizabeth", "Alexander", "Camila", "Jackson", "Luna", "Mateo", "Sofia", "Daniel", "Avery", "Michael", "Mila", "Mason", "Aria", "Sebastian", "Scarlett", "Ethan", "Penelope", "Logan", "Layla", "Owen", "Chloe", "Samuel", "Victoria", "Jacob", "Madison", "Asher", "Eleanor", "Aiden", "Grace", "John", "Nora", "Joseph", "Riley", "Wyatt", "Zoey", "David", "Hannah", "Leo", "Hazel", "Luke", "Lily", "Julian", "Ellie", "Hudson", "Violet", "Grayson", "Lillian", "Matthew", "Zoe", "Ezra", "Stella", "Gabriel", "Aurora", "Carter", "Natalie", "Isaac", "Emilia", "Jayden", "Everly", "Luca", "Leah", "Anthony", "Aubrey", "Dylan", "Willow", "Lincoln", "Addison", "Thomas", "Lucy", "Maverick", "Audrey", "Elias", "Bella", "Josiah", "Nova", "Charles", "Brooklyn", "Caleb", "Paisley", "Christopher", "Savannah", "Ezekiel", "Claire", "Miles", "Skylar", "Jaxon", "Isla", "Isaiah", "Genesis", "Andrew", "Naomi", "Joshua", "Elena", "Nathan", "Caroline", "Nolan", "Eliana", "Adrian", "Anna", "Cameron", "Maya", "Santiago", "Valentina", "Eli", "Ruby", "Aaron", "Kennedy", "Ryan", "Ivy", "Angel", "Ariana", "Cooper", "Aaliyah", "Waylon", "Cora", "Easton", "Madelyn", "Kai", "Alice", "Christian", "Kinsley", "Landon", "Hailey", "Colton", "Gabriella", "Roman", "Allison", "Axel", "Gianna", "Brooks", "Serenity", "Jonathan", "Samantha", "Robert", "Sarah", "Jameson", "Quinn", "Ian", "Eva", "Everett", "Piper", "Greyson", "Sophie", "Wesley", "Sadie", "Jeremiah", "Delilah", "Hunter", "Josephine", "Leonardo", "Nevaeh", "Jordan", "Adeline", "Jose", "Arya", "Bennett", "Emery", "Silas", "Lydia", "Nicholas", "Clara", "Parker", "Vivian", "Beau", "Madeline", "Weston", "Peyton", "Austin", "Julia", "Connor", "Rylee"}
	lastNames  = []string{"Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores", "Green", "Adams", "Nelson", "Baker", "Hall", "Rivera", "Campbell", "Mitchell", "Carter", "Roberts", "Gomez", "Phillips", "Evans", "Turner", "Diaz", "Parker", "Cruz", "Edwards", "Collins", "Reyes", "Stewart", "Morris", "Morales", "Murphy", "Cook", "Rogers", "Gutierrez", "Ortiz", "Morgan", "Cooper", "Peterson", "Bailey", "Reed", "Kelly", "Howard", "Ramos", "Kim", "Cox", "Ward", "Richardson", "Watson", "Brooks", "Chavez", "Wood", "James", "Bennett", "Gray", "Mendoza", "Ruiz", "Hughes", "Price", "Alvarez", "Castillo", "Sanders", "Patel", "Myers", "Long", "Ross", "Foster", "Jimenez", "Powell", "Jenkins", "Perry", "Russell", "Sullivan", "Bell", "Coleman", "Butler", "Henderson", "Barnes", "Gonzales", "Fisher", "Vasquez", "Simmons", "Romero", "Jordan", "Patterson", "Alexander", "Hamilton", "Graham", "Reynolds", "Griffin", "Wallace", "Moreno", "West", "Cole", "Hayes", "Bryant", "Herrera", "Gibson", "Ellis", "Tran", "Medina", "Aguilar", "Stevens", "Murray", "Ford", "Castro", "Marshall", "Owens", "Harrison", "Fernandez", "McDonald", "Woods", "Washington", "Kennedy", "Wells", "Vargas", "Henry", "Chen", "Freeman", "Webb", "Tucker", "Guzman", "Burns", "Crawford", "Olson", "Simpson", "Porter", "Hunter", "Gordon", "Mendez", "Silva", "Shaw", "Snyder", "Mason", "Dixon", "Munoz", "Hunt", "Hicks", "Holmes", "Palmer", "Wagner", "Black", "Robertson", "Boyd", "Rose", "Stone", "Salazar", "Fox", "Warren", "Mills", "Meyer", "Rice", "Schmidt", "Garza", "Daniels", "Ferguson", "Nichols", "Stephens", "Soto", "Weaver", "Ryan", "Gardner", "Payne", "Grant", "Dunn"}
	companyA   = []string{"Acme", "Globex", "Initech", "Umbrella", "Stark", "Wayne", "Wonka", "Hooli", "Vandelay", "Soylent", "Cyberdyne", "Tyrell", "Aperture", "Massive", "Pied Piper", "Gringotts", "Oscorp", "Monarch", "Blue Sun", "Nakatomi", "Dunder", "Sterling", "Bluth", "Prestige", "Virtucon", "Gekko", "Weyland", "Zorg", "Ollivander", "Kramerica", "Northwind", "Contoso", "Fabrikam", "Tailspin", "Litware", "Adventure", "Alpine", "Coho", "Lucerne", "Margie", "Proseware", "Trey", "Wingtip", "Woodgrove", "Fourth Coffee", "Humongous", "Wide World", "Blue Yonder", "Graphic", "Relecloud"}
	companyB   = []string{"Corp", "Industries", "Systems", "Labs", "Holdings", "Partners", "Group", "Logistics", "Energy", "Foods", "Media", "Health", "Capital", "Robotics", "Analytics", "Foundry", "Works", "Dynamics", "Networks", "Ventures"}
	cities     = [][3]string{{"San Francisco", "CA", "USA"}, {"New York", "NY", "USA"}, {"Austin", "TX", "USA"}, {"Chicago", "IL", "USA"}, {"Seattle", "WA", "USA"}, {"Boston", "MA", "USA"}, {"Denver", "CO", "USA"}, {"Atlanta", "GA", "USA"}, {"Toronto", "ON", "Canada"}, {"London", "", "United Kingdom"}, {"Paris", "", "France"}, {"Berlin", "", "Germany"}, {"Sydney", "NSW", "Australia"}, {"Dublin", "", "Ireland"}, {"Madrid", "", "Spain"}}
	streets    = []string{"Market St", "Main St", "Oak Ave", "Pine St", "Maple Dr", "Cedar Ln", "Elm St", "Washington Blvd", "Lake Shore Dr", "Mission St", "Broadway", "Harbor Way"}
	titles     = []string{"CEO", "CFO", "VP Sales", "VP Engineering", "Director of Operations", "Procurement Manager", "IT Manager", "Sales Manager", "Marketing Director", "Office Manager", "Buyer", "Head of Facilities"}
	depts      = []string{"Sales", "Finance", "Engineering", "Operations", "Marketing", "IT", "Procurement", "Support"}
	caseSubj   = []string{"Unit not powering on", "Billing question", "Installation delayed", "Replacement part needed", "Performance degraded", "Login problem", "Shipping damage", "Feature request", "Warranty claim", "Noise during operation"}
	oppKinds   = []string{"Expansion", "Renewal", "New Business", "Upgrade", "Services", "Pilot"}
)

func pickOne[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// seedUsers adds the users as read-only User records.
func (o *Org) seedUsers() {
	def := o.schema.object("User")
	stamp := formatWireTime(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC))
	for _, u := range o.users {
		first, last, _ := strings.Cut(u.Name, " ")
		if last == "" {
			first, last = "", first
		}
		r := &rec{ID: u.ID, Object: def, Owner: u.ID, Version: 1, F: map[string]any{
			"Id": u.ID, "Username": u.Username, "Name": u.Name, "FirstName": nilIfEmpty(first), "LastName": last,
			"Email": u.Username, "IsActive": true, "IsDeleted": false, "Title": nilIfEmpty(u.Title),
			"CreatedDate": stamp, "CreatedById": o.users[len(o.users)-1].ID, "LastModifiedDate": stamp,
			"LastModifiedById": o.users[len(o.users)-1].ID, "SystemModstamp": stamp,
		}}
		r.Modified, _ = parseWireTime(stamp)
		o.recs[r.ID] = r
		o.ids["User"] = append(o.ids["User"], r.ID)
	}
	o.seedRecordTypes()
}

// seed fills an empty database with deterministic data and commits it in one transaction.
func (o *Org) seed() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.db != nil {
		if _, err := o.db.Exec(`DELETE FROM records; DELETE FROM shares; DELETE FROM rules; DELETE FROM meta`); err != nil {
			return fmt.Errorf("mockorg: clear database: %w", err)
		}
	}
	o.resetMemory()
	o.seedUsers()
	o.seq, o.caseSeq = 1000, 0
	rng := rand.New(rand.NewPCG(uint64(o.opts.Seed), uint64(o.opts.Size)))
	now := o.now()
	alex, sam, admin := o.users[0].ID, o.users[1].ID, o.users[2].ID
	var recs []*rec
	var shares [][3]string
	var accounts []*rec
	accShare := map[string]string{} // account id → access alex has through a share
	mk := func(object, owner string, fields map[string]any) *rec {
		def := o.schema.object(object)
		o.seq++
		id := ID(def.Prefix, o.seq)
		created := now.Add(-time.Duration(1+rng.IntN(300*24)) * time.Hour).Add(-time.Duration(rng.IntN(3600)) * time.Second)
		modified := created.Add(time.Duration(rng.Int64N(int64(now.Sub(created)) + 1)))
		if modified.After(now) {
			modified = now
		}
		r := &rec{ID: id, Object: def, F: map[string]any{}, Owner: owner, Version: 1, Modified: modified}
		for _, f := range def.Fields {
			r.F[f.Name] = nil
			if f.Type == "boolean" {
				r.F[f.Name] = false
			}
			if f.PicklistDefault != "" {
				r.F[f.Name] = f.PicklistDefault
			}
		}
		for k, v := range fields {
			r.F[k] = v
		}
		r.F["Id"], r.F["OwnerId"] = id, owner
		r.F["CreatedDate"], r.F["CreatedById"] = formatWireTime(created), owner
		r.F["LastModifiedDate"], r.F["LastModifiedById"], r.F["SystemModstamp"] = formatWireTime(modified), owner, formatWireTime(modified)
		c := &wctx{user: User{ID: owner}, now: modified}
		o.stamp(c, r)
		r.F["LastModifiedById"] = owner
		recs = append(recs, r)
		o.index(r)
		return r
	}
	size := o.opts.Size
	nLeads := size / 10
	nAccounts := (size - nLeads) / 6
	if nAccounts < 1 {
		nAccounts = 1
	}
	person := func() (string, string) { return pickOne(rng, firstNames), pickOne(rng, lastNames) }
	phone := func() string {
		return fmt.Sprintf("(%03d) %03d-%04d", 200+rng.IntN(700), 200+rng.IntN(700), rng.IntN(10000))
	}
	date := func(minDays, maxDays int) string {
		return now.AddDate(0, 0, minDays+rng.IntN(maxDays-minDays+1)).Format("2006-01-02")
	}
	for i := 0; i < nAccounts; i++ {
		owner := alex
		switch m := i % 20; {
		case m >= 9 && m < 17:
			owner = sam
		case m >= 17:
			owner = admin
		}
		company := pickOne(rng, companyA) + " " + pickOne(rng, companyB)
		if i >= len(companyA)*len(companyB)/4 {
			company += " " + strconv.Itoa(i)
		}
		city := pickOne(rng, cities)
		domain := strings.ToLower(strings.NewReplacer(" ", "", "&", "").Replace(company))
		acc := mk("Account", owner, map[string]any{
			"Name": company, "Type": pickOne(rng, theSchema.object("Account").byName["type"].Picklist),
			"Industry": pickOne(rng, industries), "Rating": pickOne(rng, ratings), "Phone": phone(),
			"Website": "https://www." + domain + ".example", "AnnualRevenue": float64((1 + rng.IntN(500)) * 100000),
			"NumberOfEmployees": float64(5 + rng.IntN(5000)), "AccountNumber": fmt.Sprintf("CD%06d", 100000+i),
			"BillingStreet": fmt.Sprintf("%d %s", 1+rng.IntN(999), pickOne(rng, streets)), "BillingCity": city[0],
			"BillingState": nilIfEmpty(city[1]), "BillingPostalCode": fmt.Sprintf("%05d", rng.IntN(99999)), "BillingCountry": city[2],
			"Region__c": regionOf(city[2]), "Product_Interest__c": productInterest(i),
		})
		accounts = append(accounts, acc)
		related := []*rec{acc}
		nContacts := 1 + rng.IntN(3)
		var contacts []*rec
		for j := 0; j < nContacts; j++ {
			first, last := person()
			c := mk("Contact", owner, map[string]any{
				"FirstName": first, "LastName": last, "AccountId": acc.ID, "Title": pickOne(rng, titles),
				"Email": strings.ToLower(first+"."+last) + "@" + domain + ".example",
				"Phone": phone(), "Department": pickOne(rng, depts), "LeadSource": pickOne(rng, leadSources),
				"MailingCity": city[0], "MailingCountry": city[2],
				"Preferred_Channel__c": channels[(i+j)%len(channels)],
				"DoNotCall":            (i+j)%7 == 3,
				"Next_Meeting__c":      nextMeeting(now, i+j),
			})
			contacts = append(contacts, c)
			related = append(related, c)
		}
		for j := rng.IntN(3); j > 0; j-- {
			stage := pickOne(rng, stages)
			opp := mk("Opportunity", owner, map[string]any{
				"Name": company + " - " + pickOne(rng, oppKinds), "AccountId": acc.ID, "StageName": stage,
				"CloseDate": date(-60, 120), "Amount": float64((1 + rng.IntN(200)) * 500), "Probability": stageProb[stage],
				"ForecastCategoryName": forecastOf(stage), "LeadSource": pickOne(rng, leadSources),
				"Type":         pickOne(rng, theSchema.object("Opportunity").byName["type"].Picklist),
				"RecordTypeId": recordTypesOf("Opportunity")[(i+j)%2].id(),
			})
			related = append(related, opp)
		}
		if rng.IntN(2) == 0 {
			o.caseSeq++
			status := pickOne(rng, []string{"New", "Working", "Escalated", "Closed"})
			subj := pickOne(rng, caseSubj)
			related = append(related, mk("Case", owner, map[string]any{
				"CaseNumber": fmt.Sprintf("%08d", 1000+o.caseSeq), "Subject": subj, "Status": status,
				"Description": subj + ". Customer reported the issue by " + strings.ToLower(pickOne(rng, []string{"Phone", "Email", "Web"})) + ".",
				"Origin":      pickOne(rng, []string{"Phone", "Email", "Web"}), "Priority": pickOne(rng, []string{"High", "Medium", "Low"}),
				"AccountId": acc.ID, "ContactId": contacts[0].ID, "RecordTypeId": recordTypesOf("Case")[i%2].id(),
			}))
		}
		for j := 1 + rng.IntN(2); j > 0; j-- {
			mk("Task", owner, map[string]any{
				"Subject": pickOne(rng, []string{"Call", "Send Letter", "Send Quote", "Other"}), "Status": pickOne(rng, []string{"Not Started", "In Progress", "Completed"}),
				"Priority": pickOne(rng, []string{"High", "Normal", "Low"}), "ActivityDate": date(-10, 30),
				"WhoId": pickOne(rng, contacts).ID, "WhatId": acc.ID,
			})
		}
		if owner == sam {
			access := ""
			switch {
			case i%5 == 0:
				access = accessRead
			case i%7 == 0 || i%3 == 0:
				access = accessEdit
			}
			if access != "" {
				accShare[acc.ID] = access
				for _, r := range related {
					shares = append(shares, [3]string{r.ID, alex, access})
				}
			}
		}
	}
	for i := 0; i < nLeads; i++ {
		first, last := person()
		owner := []string{alex, sam, alex, admin}[i%4]
		company := pickOne(rng, companyA) + " " + pickOne(rng, companyB)
		mk("Lead", owner, map[string]any{
			"FirstName": first, "LastName": last, "Company": company, "Title": pickOne(rng, titles),
			"Email": strings.ToLower(first+"."+last) + "@lead.example", "Phone": phone(),
			"Status":     pickOne(rng, []string{"Open - Not Contacted", "Working - Contacted", "Closed - Not Converted"}),
			"LeadSource": pickOne(rng, leadSources), "Rating": pickOne(rng, ratings), "Industry": pickOne(rng, industries),
		})
	}
	// Site visits come last so the records above keep the ids and values they had before the
	// custom object existed.
	for _, acc := range accounts {
		if acc.Owner == admin {
			continue
		}
		for j := 1 + rng.IntN(2); j > 0; j-- {
			outcome := pickOne(rng, visitOutcomes)
			visit := map[string]any{
				"Name": fmt.Sprintf("Visit %s #%d", acc.str("Name"), j), "Account__c": acc.ID,
				"Visit_Date__c": date(-60, 30), "Outcome__c": outcome,
			}
			if outcome == "Completed" {
				visit["Rating__c"] = float64(1 + rng.IntN(5))
				visit["Notes__c"] = "Met the " + strings.ToLower(pickOne(rng, depts)) + " team on site."
			}
			v := mk("Site_Visit__c", acc.Owner, visit)
			if access := accShare[acc.ID]; access != "" {
				shares = append(shares, [3]string{v.ID, alex, access})
			}
		}
	}
	o.rules = defaultRules()
	o.ruleSeq = len(o.rules)
	for _, s := range shares {
		o.setShareMem(s[0], s[1], s[2])
	}
	return o.writeSeed(recs, shares)
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func (o *Org) writeSeed(recs []*rec, shares [][3]string) error {
	if o.db == nil {
		return nil
	}
	tx, err := o.db.Begin()
	if err != nil {
		return fmt.Errorf("mockorg: seed: %w", err)
	}
	defer tx.Rollback()
	stmt, err := tx.Prepare(upsertRecordSQL)
	if err != nil {
		return fmt.Errorf("mockorg: seed: %w", err)
	}
	defer stmt.Close()
	for _, r := range recs {
		if err := writeRecord(stmt, r); err != nil {
			return fmt.Errorf("mockorg: seed %s: %w", r.ID, err)
		}
	}
	sstmt, err := tx.Prepare(`INSERT OR REPLACE INTO shares (record_id, user_id, access) VALUES (?,?,?)`)
	if err != nil {
		return err
	}
	defer sstmt.Close()
	for _, s := range shares {
		if _, err := sstmt.Exec(s[0], s[1], s[2]); err != nil {
			return fmt.Errorf("mockorg: seed shares: %w", err)
		}
	}
	for i, r := range o.rules {
		data, _ := json.Marshal(r)
		if _, err := tx.Exec(`INSERT OR REPLACE INTO rules (id, seq, data) VALUES (?,?,?)`, r.ID, i, string(data)); err != nil {
			return fmt.Errorf("mockorg: seed rules: %w", err)
		}
	}
	if err := putMetaTx(tx, map[string]string{
		"seeded": "1", "seq": strconv.FormatInt(o.seq, 10), "caseSeq": strconv.FormatInt(o.caseSeq, 10),
		"ruleSeq": strconv.Itoa(o.ruleSeq), "profile": string(o.Profile()),
		"seedSeed": strconv.FormatInt(o.opts.Seed, 10), "seedSize": strconv.Itoa(o.opts.Size),
		"orgId": o.orgID,
	}); err != nil {
		return err
	}
	return tx.Commit()
}

// Reset puts the org back to its seed data and rules. Tokens stay valid.
func (o *Org) Reset() error {
	o.cursors.clear()
	o.clearRowLocks()
	return o.seed()
}

// regionOf is the sales region of a country.
func regionOf(country string) string {
	switch country {
	case "USA", "Canada":
		return "AMER"
	case "Australia":
		return "APAC"
	}
	return "EMEA"
}

// productInterest is the seeded Product Interest of the i-th account: a few of the product
// lines, none for some accounts. It is worked out from i alone, so the random draws of the
// seed (and every other seeded value) are the same as before the field existed.
func productInterest(i int) any {
	mask := (i*11 + 5) % 32
	var out []string
	for b, v := range productLines {
		if mask&(1<<b) != 0 {
			out = append(out, v)
		}
	}
	if len(out) == 0 || len(out) > 3 {
		return nil
	}
	return strings.Join(out, ";")
}

// nextMeeting is the seeded Next Meeting of a contact: for one contact in three, a meeting
// on a working hour within the next three weeks (or the past few days), from k alone (see
// productInterest).
func nextMeeting(now time.Time, k int) any {
	if k%3 != 0 {
		return nil
	}
	day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC).AddDate(0, 0, k%24-4)
	at := day.Add(time.Duration(8*60+(k%17)*30) * time.Minute)
	return formatWireTime(at)
}
